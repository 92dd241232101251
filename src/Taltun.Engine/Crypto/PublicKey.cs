using System.Security.Cryptography;

namespace Taltun.Crypto;

/// <summary>
/// A Curve25519 public key: who a peer is. Immutable and thread-safe. Equality is constant-time
/// and the hash code is seeded per process, because handshakes look peers up by attacker-chosen keys.
/// </summary>
public sealed class PublicKey : IEquatable<PublicKey>
{
    private readonly byte[] _bytes;

    public PublicKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Key32.Size)
        {
            throw new ArgumentException("A public key is 32 bytes.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>The 32 raw bytes.</summary>
    public ReadOnlySpan<byte> Span => _bytes;

    /// <summary>Parses 44 base64 characters or 64 hex digits.</summary>
    public static PublicKey Parse(string text)
    {
        Span<byte> raw = stackalloc byte[Key32.Size];
        KeyText.Parse(text, raw);
        return new PublicKey(raw);
    }

    public string ToBase64() => KeyText.ToBase64(_bytes);

    public string ToHex() => KeyText.ToHex(_bytes);

    /// <summary>Public keys are not secret: the base64 form, as WireGuard prints them.</summary>
    public override string ToString() => ToBase64();

    public bool Equals(PublicKey? other) => other is not null && CryptographicOperations.FixedTimeEquals(_bytes, other._bytes);

    public override bool Equals(object? obj) => Equals(obj as PublicKey);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    public static bool operator ==(PublicKey? left, PublicKey? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(PublicKey? left, PublicKey? right) => !(left == right);
}
