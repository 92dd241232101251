using System.Net;
using Taltun.Crypto;

namespace Taltun.Configuration;

/// <summary>
/// A change to a running tunnel as <c>wg set</c> and WireGuard's userspace API express one:
/// interface values to replace, then peer blocks in order, each creating, changing or removing
/// one peer. <c>Set-TaltunPeer</c> and a reload (<c>wg syncconf</c>'s semantics) build the same
/// thing. The tunnel checks the whole update before it changes anything, so a bad update changes
/// nothing — where wireguard-go applies a <c>set</c> line by line. Immutable.
/// </summary>
public sealed record TunnelUpdate
{
    public PrivateKey? PrivateKey { get; init; }

    /// <summary>The UDP port to listen on; 0 lets the kernel choose.</summary>
    public int? ListenPort { get; init; }

    /// <summary>SO_MARK for the tunnel's UDP packets; 0 removes it.</summary>
    public uint? FirewallMark { get; init; }

    /// <summary>Every peer is removed before the peer blocks apply (their sessions go too).</summary>
    public bool ReplacePeers { get; init; }

    public IReadOnlyList<PeerUpdate> Peers { get; init; } = [];

    /// <summary>True if the update asks for nothing.</summary>
    public bool IsEmpty => PrivateKey is null && ListenPort is null && FirewallMark is null && !ReplacePeers && Peers.Count == 0;
}

/// <summary>
/// One peer block of a <see cref="TunnelUpdate"/>: the peer is created unless it exists or
/// <see cref="UpdateOnly"/>; values left null stay as they are. Allowed IPs change in the order
/// given, after <see cref="ReplaceAllowedIps"/> empties them if set. Immutable.
/// </summary>
public sealed record PeerUpdate
{
    public required PublicKey PublicKey { get; init; }

    public bool Remove { get; init; }

    /// <summary>Change the peer only if it exists; never create it.</summary>
    public bool UpdateOnly { get; init; }

    /// <summary>A new preshared key; see <see cref="ClearPresharedKey"/> for none.</summary>
    public PresharedKey? PresharedKey { get; init; }

    /// <summary>Remove the preshared key (WireGuard's all-zero key).</summary>
    public bool ClearPresharedKey { get; init; }

    /// <summary>host:port as written; resolved when the update applies.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Seconds; 0 turns persistent keepalives off.</summary>
    public int? PersistentKeepalive { get; init; }

    public bool ReplaceAllowedIps { get; init; }

    public IReadOnlyList<AllowedIpChange> AllowedIps { get; init; } = [];
}

/// <summary>An allowed IP added to a peer (taken from any peer that had it, as <c>wg set</c> does) or removed from it.</summary>
public readonly record struct AllowedIpChange(IPNetwork Prefix, bool Remove);
