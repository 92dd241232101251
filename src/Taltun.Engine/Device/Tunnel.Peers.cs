using System.Net;
using Taltun.Configuration;
using Taltun.Crypto;
using Taltun.Foundation;
using Taltun.Protocol;
using Taltun.Transport;

namespace Taltun.Device;

/// <summary>
/// A running tunnel's peers: added and removed while traffic flows (one peer's work, whatever the
/// table's size), looked up, and reported in the tunnel's status.
/// </summary>
public sealed partial class Tunnel
{
    /// <summary>
    /// Adds a peer while traffic flows: its allowed IPs take effect at once, with kernel routes for
    /// those outside the interface's subnet. A prefix another peer owns is refused, naming the
    /// owner, unless <paramref name="movePrefixes"/>: then it moves to this peer (as <c>wg set</c>
    /// moves it) and keeps its one kernel route.
    /// </summary>
    public void AddPeer(PeerOptions options, bool movePrefixes = false)
    {
        options.Validate(_options.PrivateKey);
        lock (_peerChanges)
        {
            AddPeerLocked(options, movePrefixes);
            _running.Record(Describe(options));
        }
    }

    /// <summary>
    /// Adds a peer as a user describes it (virtual IP, endpoint as written, …), checked against the
    /// running configuration first (<see cref="CheckPeer"/>); the running configuration, which
    /// <see cref="Configuration"/> returns, changes with it. Costs the same at any peer count.
    /// </summary>
    public void AddPeer(PeerConfiguration peer, bool movePrefixes = false)
    {
        lock (_peerChanges)
        {
            PeerChange change = _running.Plan(peer, movePrefixes);
            PeerOptions options = _running.OptionsFor(peer);
            options.Validate(_options.PrivateKey);
            AddPeerLocked(options, movePrefixes);
            _running.Apply(change);
        }
    }

    /// <summary>Throws <see cref="ConfigurationException"/> if <see cref="AddPeer(PeerConfiguration, bool)"/> would refuse the peer; changes nothing (for -WhatIf).</summary>
    public void CheckPeer(PeerConfiguration peer, bool movePrefixes = false)
    {
        lock (_peerChanges)
        {
            _running.Plan(peer, movePrefixes);
        }
    }

    /// <summary>Removes a peer and its routes; its sessions are erased. False if there was no such peer.</summary>
    public bool RemovePeer(PublicKey publicKey)
    {
        lock (_peerChanges)
        {
            _running.Remove(publicKey);
            return RemovePeerLocked(publicKey);
        }
    }

    /// <summary>The configuration as it runs now: the one it started with, and every change since.</summary>
    public TunnelConfiguration Configuration
    {
        get
        {
            lock (_peerChanges)
            {
                return _running.Snapshot();
            }
        }
    }

    /// <summary>The configuration without its peers: costs nothing at any peer count.</summary>
    public TunnelConfiguration InterfaceConfiguration
    {
        get
        {
            lock (_peerChanges)
            {
                return _running.Interface;
            }
        }
    }

    /// <summary>One peer's status, or null if there is no such peer.</summary>
    public PeerStatus? GetPeerStatus(PublicKey publicKey)
    {
        lock (_peerChanges)
        {
            return _core.FindPeer(publicKey) is { } peer ? StatusOf(peer, _running.Find(publicKey)?.VirtualIP) : null;
        }
    }

    /// <summary>How a peer is configured now (virtual IP, endpoint as written), or null.</summary>
    public PeerConfiguration? FindPeerConfiguration(PublicKey publicKey)
    {
        lock (_peerChanges)
        {
            return _running.Find(publicKey);
        }
    }

    private void AddPeerLocked(PeerOptions options, bool movePrefixes, byte[]? staticStatic = null)
    {
        foreach (IPNetwork prefix in movePrefixes ? [] : options.AllowedIps)
        {
            if (_core.AllowedIps.OwnerOf(prefix) is { } owner)
            {
                throw new TunnelException(TunnelError.InvalidOptions, $"{prefix} {PeerRules.AlreadyBelongsTo(owner.PublicKey, null)} on tunnel '{InterfaceName}'. Move it explicitly, or choose another address.");
            }
        }

        if (!_core.TryAddPeer(options.PublicKey, options.PresharedKey, options.PersistentKeepalive, staticStatic ?? _core.StaticStaticOf(options.PublicKey), out Peer? peer))
        {
            throw new TunnelException(TunnelError.InvalidOptions, $"Peer {options.PublicKey} is already on tunnel '{InterfaceName}'. Remove it first to change it.");
        }

        if (options.Endpoint is { } endpoint)
        {
            peer.Endpoint = new UdpEndpoint(endpoint);
        }

        foreach (IPNetwork prefix in options.AllowedIps)
        {
            Peer? previous = _core.AllowedIps.OwnerOf(prefix);
            if (previous == peer)
            {
                continue;
            }

            _core.AllowedIps.Insert(prefix, peer);
            if (previous is null)
            {
                _setup.AcquirePeerRoute(prefix);
            }
            else
            {
                // The prefix's kernel route exists already; it now leaves with its new owner.
                Log.Information($"Allowed IP {prefix} moved from peer {previous.PublicKey} to peer {options.PublicKey}.");
            }
        }

        if (options.Endpoint is { } address)
        {
            _setup.ProtectEndpoint(address.Address);
        }

        if (options.Endpoint is not null && options.PersistentKeepalive > TimeSpan.Zero)
        {
            // As WireGuard does: a peer kept alive is connected at once, so a spoke is reachable
            // through its hub before it sends anything itself.
            _core.RequestHandshake(peer);
        }

        Log.Information($"Peer {options.PublicKey} added{(options.Endpoint is null ? string.Empty : $" at {options.Endpoint}")}, allowed IPs {string.Join(", ", options.AllowedIps)}.");
    }

    private bool RemovePeerLocked(PublicKey publicKey)
    {
        Peer? peer = _core.FindPeer(publicKey);
        if (peer is null)
        {
            return false;
        }

        IReadOnlyList<IPNetwork> prefixes = _core.AllowedIps.PrefixesOf(peer);
        if (!_core.RemovePeer(publicKey))
        {
            return false;
        }

        foreach (IPNetwork prefix in prefixes)
        {
            _setup.ReleasePeerRoute(prefix);
        }

        Log.Information($"Peer {publicKey} removed.");
        return true;
    }

    /// <summary>A snapshot of the tunnel and every peer, in the order the peers came. Costs one pass over the peers.</summary>
    public TunnelStatus GetStatus()
    {
        var peers = new List<PeerStatus>();
        lock (_peerChanges)
        {
            foreach (PeerConfiguration configured in _running.Peers)
            {
                if (_core.FindPeer(configured.PublicKey) is { } peer)
                {
                    peers.Add(StatusOf(peer, configured.VirtualIP));
                }
            }
        }

        return new TunnelStatus(InterfaceName, PublicKey, ListenPort, _options.Addresses, _options.Mtu, _setup.Routes, Started, _core.Drops.Snapshot(), peers, _options.Relay?.ToString() ?? "off");
    }

    private PeerStatus StatusOf(Peer peer, IPAddress? virtualIP) => new(
                peer.PublicKey,
                virtualIP,
                peer.Endpoint?.EndPoint,
                _core.AllowedIps.PrefixesOf(peer),
                peer.LatestHandshake,
                peer.RxBytes,
                peer.TxBytes,
                peer.RxPackets,
                peer.TxPackets,
                peer.DropsSnapshot(),
                peer.PersistentKeepalive,
                peer.PresharedKey is not null);
}
