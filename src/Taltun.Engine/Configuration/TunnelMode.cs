namespace Taltun.Configuration;

/// <summary>A tunnel's role: the two of a hub-and-spoke VPN, or a plain WireGuard peer.</summary>
public enum TunnelMode
{
    /// <summary>The hub: listens, knows its spokes by key, relays between them. Spokes may roam (no endpoints needed).</summary>
    Server,

    /// <summary>A spoke: connects to its hub at start and routes the whole VPN subnet (and its routes) through it.</summary>
    Client,

    /// <summary>
    /// A plain WireGuard peer, as wg-quick runs one: each peer gets exactly its allowed IPs and
    /// keepalive, and nothing is relayed inside Taltun (the host's forwarding and firewall decide,
    /// as with the kernel module). A wg-quick file starts in this mode.
    /// </summary>
    Peer,
}
