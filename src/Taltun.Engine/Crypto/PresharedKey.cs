namespace Taltun.Crypto;

/// <summary>
/// An optional symmetric key mixed into a peer's handshake (the "psk2" of Noise_IKpsk2), for a
/// layer of post-quantum resistance. Secret like a private key: redacted, zeroed on dispose.
/// </summary>
public sealed class PresharedKey : SecretKey, IEquatable<PresharedKey>
{
    public PresharedKey(ReadOnlySpan<byte> bytes)
        : base(bytes)
    {
    }

    /// <summary>32 random bytes, as <c>wg genpsk</c> makes.</summary>
    public static PresharedKey Generate() => Generate(raw => new PresharedKey(raw));

    /// <summary>Parses 44 base64 characters or 64 hex digits.</summary>
    public static PresharedKey Parse(string text) => Parse(text, raw => new PresharedKey(raw));

    public override string ToString() => "(preshared key hidden)";

    public bool Equals(PresharedKey? other) => SameBytes(other);

    public override bool Equals(object? obj) => Equals(obj as PresharedKey);

    // Equal keys must hash alike, and anything derived from the bytes would leak them.
    public override int GetHashCode() => 0;
}
