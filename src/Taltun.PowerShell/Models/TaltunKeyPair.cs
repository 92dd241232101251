namespace Taltun.PowerShell;

/// <summary>
/// A Curve25519 key pair as New-TaltunKey returns it, in base64 (or hex with -Encoding Hex).
/// The property names match Add-TaltunPeer's parameters, so a key pair pipes straight into it.
/// </summary>
public sealed class TaltunKeyPair
{
    public TaltunKeyPair(string privateKey, string publicKey)
    {
        PrivateKey = privateKey;
        PublicKey = publicKey;
    }

    /// <summary>The private key: keep it secret; it goes into the owner's config only.</summary>
    public string PrivateKey { get; }

    /// <summary>The public key: this is who the owner is to every peer.</summary>
    public string PublicKey { get; }

    /// <summary>Only the public half: a key pair printed as text must not leak its private key.</summary>
    public override string ToString() => PublicKey;
}
