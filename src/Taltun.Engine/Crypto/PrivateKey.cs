using System.Security.Cryptography;

namespace Taltun.Crypto;

/// <summary>
/// A Curve25519 private key. Its text never appears in <see cref="ToString"/>; only
/// <see cref="ToBase64"/> and <see cref="ToHex"/> reveal it, for writing key files.
/// Disposing zeroes the bytes. Not thread-safe for Dispose; reads are.
/// </summary>
public sealed class PrivateKey : IDisposable, IEquatable<PrivateKey>
{
    private readonly byte[] _bytes = GC.AllocateArray<byte>(Key32.Size, pinned: true);
    private PublicKey? _publicKey;

    public PrivateKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Key32.Size)
        {
            throw new ArgumentException("A private key is 32 bytes.", nameof(bytes));
        }

        bytes.CopyTo(_bytes);
    }

    /// <summary>A new random key, clamped as RFC 7748 and <c>wg genkey</c> do.</summary>
    public static PrivateKey Generate()
    {
        Span<byte> raw = stackalloc byte[Key32.Size];
        RandomNumberGenerator.Fill(raw);
        X25519.Clamp(raw);
        var key = new PrivateKey(raw);
        CryptographicOperations.ZeroMemory(raw);
        return key;
    }

    /// <summary>Parses 44 base64 characters or 64 hex digits.</summary>
    public static PrivateKey Parse(string text)
    {
        Span<byte> raw = stackalloc byte[Key32.Size];
        try
        {
            KeyText.Parse(text, raw);
            return new PrivateKey(raw);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    /// <summary>The raw bytes, for the handshake. Do not copy them anywhere long-lived.</summary>
    internal ReadOnlySpan<byte> Span => _bytes;

    /// <summary>The matching public key (computed once), equal to what <c>wg pubkey</c> prints.</summary>
    public PublicKey PublicKey => _publicKey ??= X25519.PublicKeyOf(_bytes);

    public string ToBase64() => KeyText.ToBase64(_bytes);

    public string ToHex() => KeyText.ToHex(_bytes);

    /// <summary>Redacted: private keys must not leak into logs, errors or status output.</summary>
    public override string ToString() => "(private key hidden)";

    public bool Equals(PrivateKey? other) => other is not null && CryptographicOperations.FixedTimeEquals(_bytes, other._bytes);

    public override bool Equals(object? obj) => Equals(obj as PrivateKey);

    public override int GetHashCode() => PublicKey.GetHashCode();

    public void Dispose() => CryptographicOperations.ZeroMemory(_bytes);
}
