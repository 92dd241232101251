using System.Security.Cryptography;

namespace Taltun.Crypto;

/// <summary>
/// What private and preshared keys share as secrets: 32 bytes pinned (the GC never copies them
/// elsewhere), text only through <see cref="ToBase64"/> and <see cref="ToHex"/> (for writing key
/// files), a redacted <see cref="object.ToString"/>, constant-time equality, and zeroing on
/// dispose. Not thread-safe for Dispose; reads are.
/// </summary>
public abstract class SecretKey : IDisposable
{
    private readonly byte[] _bytes = GC.AllocateArray<byte>(Key32.Size, pinned: true);

    private protected SecretKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Key32.Size)
        {
            throw new ArgumentException($"A {GetType().Name} is 32 bytes.", nameof(bytes));
        }

        bytes.CopyTo(_bytes);
    }

    /// <summary>The raw bytes, for the handshake. Do not copy them anywhere long-lived.</summary>
    internal ReadOnlySpan<byte> Span => _bytes;

    public string ToBase64() => KeyText.ToBase64(_bytes);

    public string ToHex() => KeyText.ToHex(_bytes);

    /// <summary>
    /// Whether <paramref name="key"/> has this secret's bytes: a secret pasted where a public key
    /// belongs. Constant-time.
    /// </summary>
    public bool SameBytesAs(PublicKey key) => CryptographicOperations.FixedTimeEquals(_bytes, key.Span);

    /// <summary>Whether <paramref name="other"/> holds the same secret (a reload that keeps a preshared key). Constant-time.</summary>
    public bool SameBytesAs(SecretKey other) => CryptographicOperations.FixedTimeEquals(_bytes, other._bytes);

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_bytes);
        GC.SuppressFinalize(this);
    }

    /// <summary>Decodes <paramref name="text"/> through a stack buffer that is zeroed whatever happens.</summary>
    private protected static T Parse<T>(string text, Func<ReadOnlySpan<byte>, T> create)
    {
        Span<byte> raw = stackalloc byte[Key32.Size];
        try
        {
            KeyText.Parse(text, raw);
            return create(raw);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    /// <summary>32 random bytes, <paramref name="prepare"/>d (clamped, for a private key), through a zeroed stack buffer.</summary>
    private protected static T Generate<T>(Func<ReadOnlySpan<byte>, T> create, SpanAction? prepare = null)
    {
        Span<byte> raw = stackalloc byte[Key32.Size];
        try
        {
            RandomNumberGenerator.Fill(raw);
            prepare?.Invoke(raw);
            return create(raw);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    private protected bool SameBytes(SecretKey? other) =>
        other is not null && other.GetType() == GetType() && CryptographicOperations.FixedTimeEquals(_bytes, other._bytes);

    private protected delegate void SpanAction(Span<byte> bytes);
}
