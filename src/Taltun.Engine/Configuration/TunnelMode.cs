namespace Taltun.Configuration;

/// <summary>The two roles in a hub-and-spoke VPN.</summary>
public enum TunnelMode
{
    /// <summary>The hub: listens, knows its spokes by key, relays between them. Spokes may roam (no endpoints needed).</summary>
    Server,

    /// <summary>A spoke: connects to its hub at start and routes the whole VPN subnet (and its routes) through it.</summary>
    Client,
}
