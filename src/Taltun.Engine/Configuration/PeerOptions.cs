using System.Net;
using Taltun.Crypto;
using Taltun.Foundation;

namespace Taltun.Configuration;

/// <summary>
/// One peer as configured: who it is (public key), where to find it (optional endpoint: a roaming
/// client has none until it writes first), and which addresses it may use inside the tunnel.
/// Immutable.
/// </summary>
public sealed record PeerOptions
{
    public required PublicKey PublicKey { get; init; }

    public PresharedKey? PresharedKey { get; init; }

    public IPEndPoint? Endpoint { get; init; }

    /// <summary>Source addresses accepted from this peer and destinations routed to it (cryptokey routing).</summary>
    public IReadOnlyList<IPNetwork> AllowedIps { get; init; } = [];

    /// <summary>Zero for none; otherwise a keepalive after this long idle, for peers behind NAT.</summary>
    public TimeSpan PersistentKeepalive { get; init; }

    /// <summary>Throws <see cref="TunnelException"/> (InvalidOptions) if this peer cannot be a peer of the tunnel whose private key is <paramref name="tunnelKey"/>.</summary>
    public void Validate(PrivateKey tunnelKey)
    {
        if (PublicKey == tunnelKey.PublicKey)
        {
            throw new TunnelException(TunnelError.InvalidOptions, $"Peer {PublicKey}: {PeerRules.OwnKey}");
        }

        if (tunnelKey.SameBytesAs(PublicKey))
        {
            throw new TunnelException(TunnelError.InvalidOptions, $"A peer's public key: {PeerRules.OwnPrivateKey}");
        }

        if (!PeerRules.IsKeepaliveInRange(PersistentKeepalive))
        {
            throw new TunnelException(TunnelError.InvalidOptions, $"Peer {PublicKey}: {PeerRules.KeepaliveOutOfRange(PersistentKeepalive)}");
        }
    }
}
