namespace Taltun.Crypto;

/// <summary>
/// A Curve25519 private key. Its text never appears in <see cref="ToString"/>; only
/// <see cref="SecretKey.ToBase64"/> and <see cref="SecretKey.ToHex"/> reveal it, for writing key
/// files. Disposing zeroes the bytes.
/// </summary>
public sealed class PrivateKey : SecretKey, IEquatable<PrivateKey>
{
    private PublicKey? _publicKey;

    public PrivateKey(ReadOnlySpan<byte> bytes)
        : base(bytes)
    {
    }

    /// <summary>A new random key, clamped as RFC 7748 and <c>wg genkey</c> do.</summary>
    public static PrivateKey Generate() => Generate(raw => new PrivateKey(raw), X25519.Clamp);

    /// <summary>Parses 44 base64 characters or 64 hex digits.</summary>
    public static PrivateKey Parse(string text) => Parse(text, raw => new PrivateKey(raw));

    /// <summary>The matching public key (computed once), equal to what <c>wg pubkey</c> prints.</summary>
    public PublicKey PublicKey => _publicKey ??= X25519.PublicKeyOf(Span);

    /// <summary>Redacted: private keys must not leak into logs, errors or status output.</summary>
    public override string ToString() => "(private key hidden)";

    public bool Equals(PrivateKey? other) => SameBytes(other);

    public override bool Equals(object? obj) => Equals(obj as PrivateKey);

    public override int GetHashCode() => PublicKey.GetHashCode();
}
