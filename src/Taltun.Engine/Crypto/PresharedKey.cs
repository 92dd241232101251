using System.Security.Cryptography;

namespace Taltun.Crypto;

/// <summary>
/// An optional symmetric key mixed into a peer's handshake (the "psk2" of Noise_IKpsk2), for a
/// layer of post-quantum resistance. Secret like a private key: redacted, zeroed on dispose.
/// </summary>
public sealed class PresharedKey : IDisposable, IEquatable<PresharedKey>
{
    private readonly byte[] _bytes = GC.AllocateArray<byte>(Key32.Size, pinned: true);

    public PresharedKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Key32.Size)
        {
            throw new ArgumentException("A preshared key is 32 bytes.", nameof(bytes));
        }

        bytes.CopyTo(_bytes);
    }

    /// <summary>32 random bytes, as <c>wg genpsk</c> makes.</summary>
    public static PresharedKey Generate()
    {
        Span<byte> raw = stackalloc byte[Key32.Size];
        RandomNumberGenerator.Fill(raw);
        var key = new PresharedKey(raw);
        CryptographicOperations.ZeroMemory(raw);
        return key;
    }

    public static PresharedKey Parse(string text)
    {
        Span<byte> raw = stackalloc byte[Key32.Size];
        try
        {
            KeyText.Parse(text, raw);
            return new PresharedKey(raw);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    internal ReadOnlySpan<byte> Span => _bytes;

    public string ToBase64() => KeyText.ToBase64(_bytes);

    public string ToHex() => KeyText.ToHex(_bytes);

    public override string ToString() => "(preshared key hidden)";

    public bool Equals(PresharedKey? other) => other is not null && CryptographicOperations.FixedTimeEquals(_bytes, other._bytes);

    public override bool Equals(object? obj) => Equals(obj as PresharedKey);

    public override int GetHashCode() => 0;

    public void Dispose() => CryptographicOperations.ZeroMemory(_bytes);
}
