using System.Text;
using Taltun.Crypto;

namespace Taltun.Protocol;

/// <summary>
/// This side's static key pair and the values derived from it once: the Noise initial chaining
/// key and hash (the responder's hash already mixes in our public key). Immutable; thread-safe.
/// </summary>
internal sealed class LocalIdentity : IDisposable
{
    /// <summary>Ci = HASH(Construction).</summary>
    public static readonly byte[] InitialChainingKey = Hash(Encoding.ASCII.GetBytes(ProtocolConstants.Construction));

    /// <summary>Hi = HASH(Ci ‖ Identifier).</summary>
    public static readonly byte[] InitialHash = Hash(InitialChainingKey, Encoding.ASCII.GetBytes(ProtocolConstants.Identifier));

    public LocalIdentity(PrivateKey privateKey)
    {
        PrivateKey = privateKey;
        PublicKey = privateKey.PublicKey;
        ResponderInitialHash = Hash(InitialHash, PublicKey.Span);
    }

    public PrivateKey PrivateKey { get; }

    public PublicKey PublicKey { get; }

    /// <summary>HASH(Hi ‖ our public key): where every initiation sent to us starts.</summary>
    public byte[] ResponderInitialHash { get; }

    /// <summary>The private key's bytes, for the handshake's static Diffie-Hellman.</summary>
    public ReadOnlySpan<byte> PrivateKeySpan => PrivateKey.Span;

    public void Dispose()
    {
        // The key belongs to the options that configured the tunnel; they dispose it.
    }

    private static byte[] Hash(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b = default)
    {
        var output = new byte[Blake2s.HashSize];
        Blake2s.Hash(output, a, b);
        return output;
    }
}
