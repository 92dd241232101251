using System.Net;
using Taltun.Crypto;

namespace Taltun.Configuration;

/// <summary>
/// The configuration a running tunnel has now: the one it started with, plus the peers added,
/// changed and removed since, and the addresses that moved. It is indexed by public key and by
/// claimed prefix, so checking and applying a live change costs the same at 10 peers as at
/// 10,000; <see cref="Snapshot"/> gives it back as a <see cref="TunnelConfiguration"/> (to save,
/// or to derive a client's) in the order the peers came.
/// Not thread-safe: the tunnel that owns it serializes every change and snapshot.
/// </summary>
public sealed partial class RunningConfiguration
{
    private TunnelConfiguration _interface;
    private readonly PublicKey? _hub;
    private readonly Dictionary<PublicKey, (PeerConfiguration Peer, LinkedListNode<PublicKey> Node)> _peers = [];
    private readonly LinkedList<PublicKey> _order = new();
    private readonly Dictionary<IPNetwork, PublicKey> _owners = [];

    /// <summary>Indexes a configuration that has passed <see cref="TunnelConfiguration.ToOptions"/>'s checks.</summary>
    public RunningConfiguration(TunnelConfiguration configuration)
    {
        _interface = configuration with { Peers = [] };
        _hub = configuration.Hub?.PublicKey;
        foreach (PeerConfiguration peer in configuration.Peers)
        {
            Apply(new PeerChange(peer, []));
        }
    }

    public int Count => _peers.Count;

    /// <summary>The interface part as it runs now (no peers).</summary>
    public TunnelConfiguration Interface => _interface;

    /// <summary>The whole configuration as it runs now.</summary>
    public TunnelConfiguration Snapshot() => _interface with { Peers = [.. _order.Select(key => _peers[key].Peer)] };

    /// <summary>The peers in the order they came.</summary>
    public IEnumerable<PeerConfiguration> Peers => _order.Select(key => _peers[key].Peer);

    public PeerConfiguration? Find(PublicKey publicKey) => _peers.TryGetValue(publicKey, out var entry) ? entry.Peer : null;

    /// <summary>
    /// Checks that <paramref name="peer"/> can join: not the tunnel's own key, not a key already
    /// here, a virtual IP that makes sense, at least one address, and none another peer owns —
    /// unless <paramref name="move"/>, when those move to it as <c>wg set</c> moves them (the other
    /// peer must keep an address of its own). Throws <see cref="ConfigurationException"/> naming
    /// the cmdlet parameter; changes nothing. The plan is applied with <see cref="Apply(PeerChange)"/>.
    /// </summary>
    public PeerChange Plan(PeerConfiguration peer, bool move)
    {
        if ((_interface.KeyProblem(peer) ?? (_peers.ContainsKey(peer.PublicKey) ? $"peer {peer.PublicKey} is already on this tunnel; remove it first to change it." : null)) is { } keyProblem)
        {
            throw ParameterValues.Invalid("PublicKey", keyProblem);
        }

        if (_interface.VirtualIPProblem(peer) is { } vipProblem)
        {
            throw ParameterValues.Invalid("VirtualIP", vipProblem);
        }

        List<(IPNetwork Prefix, string Field)> claims = _interface.ClaimsOf(peer, IsHub(peer.PublicKey));
        if (claims.Count == 0)
        {
            throw ParameterValues.Invalid("VirtualIP", PeerRules.OwnsNothing("-VirtualIP", "-AllowedIPs"));
        }

        var changed = new Dictionary<PublicKey, PeerConfiguration>();
        foreach ((IPNetwork prefix, string field) in claims)
        {
            if (!_owners.TryGetValue(prefix, out PublicKey? ownerKey))
            {
                continue;
            }

            PeerConfiguration owner = changed.GetValueOrDefault(ownerKey) ?? _peers[ownerKey].Peer;
            string parameter = field == "vip" ? "VirtualIP" : "AllowedIPs";
            if (!move)
            {
                throw ParameterValues.Invalid(parameter, $"{prefix} {PeerRules.AlreadyBelongsTo(owner.PublicKey, owner.VirtualIP)}. Give -Force to move it to this peer (as wg set does), or choose another address.");
            }

            PeerConfiguration left = Without(owner, prefix);
            List<(IPNetwork Prefix, string Field)> remaining = _interface.ClaimsOf(left, IsHub(owner.PublicKey));
            if (remaining.Any(c => c.Prefix == prefix))
            {
                throw ParameterValues.Invalid(parameter, $"{prefix} is routed to peer {owner.PublicKey} because it is this client's hub (the VPN subnet and routes go to the hub); it cannot move.");
            }

            if (remaining.Count == 0)
            {
                throw ParameterValues.Invalid(parameter, $"moving {prefix} would leave peer {owner.PublicKey} with no address. Remove that peer first (Remove-TaltunPeer), or give this one another address.");
            }

            changed[ownerKey] = left;
        }

        return new PeerChange(peer, [.. changed.Values]);
    }

    /// <summary>
    /// Records a peer the engine took without these checks (options built directly): what it
    /// claims leaves any other peer, and an entry with its key is replaced.
    /// </summary>
    public void Record(PeerConfiguration peer)
    {
        Remove(peer.PublicKey);
        var losers = new Dictionary<PublicKey, PeerConfiguration>();
        foreach ((IPNetwork prefix, _) in _interface.ClaimsOf(peer, IsHub(peer.PublicKey)))
        {
            if (_owners.TryGetValue(prefix, out PublicKey? ownerKey))
            {
                losers[ownerKey] = Without(losers.GetValueOrDefault(ownerKey) ?? _peers[ownerKey].Peer, prefix);
            }
        }

        Apply(new PeerChange(peer, [.. losers.Values]));
    }

    /// <summary>Applies a <see cref="Plan(PeerConfiguration, bool)"/>: the peer joins, and the peers it took addresses from keep the rest.</summary>
    public void Apply(PeerChange change)
    {
        foreach (PeerConfiguration left in change.Losers)
        {
            var (before, node) = _peers[left.PublicKey];
            foreach ((IPNetwork prefix, _) in _interface.ClaimsOf(before, IsHub(before.PublicKey)))
            {
                _owners.Remove(prefix);
            }

            _peers[left.PublicKey] = (left, node);
            Claim(left);
        }

        _peers[change.Peer.PublicKey] = (change.Peer, _order.AddLast(change.Peer.PublicKey));
        Claim(change.Peer);
    }

    /// <summary>Removes a peer and frees its addresses; false if there was none with that key.</summary>
    public bool Remove(PublicKey publicKey)
    {
        if (!_peers.Remove(publicKey, out var entry))
        {
            return false;
        }

        _order.Remove(entry.Node);
        foreach ((IPNetwork prefix, _) in _interface.ClaimsOf(entry.Peer, IsHub(publicKey)))
        {
            if (_owners.TryGetValue(prefix, out PublicKey? owner) && owner == publicKey)
            {
                _owners.Remove(prefix);
            }
        }

        return true;
    }

    /// <summary>The engine's view of a peer of this configuration, with the mode's defaults.</summary>
    public PeerOptions OptionsFor(PeerConfiguration peer) => _interface.ToPeerOptions(peer, IsHub(peer.PublicKey));

    /// <summary>A peer as it is left when <paramref name="prefix"/> moves away from it.</summary>
    private static PeerConfiguration Without(PeerConfiguration owner, IPNetwork prefix) => owner with
    {
        VirtualIP = owner.VirtualIP is { } vip && new InterfaceAddress(vip, 0).Host == prefix ? null : owner.VirtualIP,
        AllowedIps = [.. owner.AllowedIps.Where(a => a != prefix)],
    };

    private bool IsHub(PublicKey publicKey) => _hub is not null && _hub == publicKey;

    private void Claim(PeerConfiguration peer)
    {
        foreach ((IPNetwork prefix, _) in _interface.ClaimsOf(peer, IsHub(peer.PublicKey)))
        {
            _owners[prefix] = peer.PublicKey;
        }
    }
}

/// <summary>A peer to add, and the peers whose addresses move to it, as they are left.</summary>
public sealed record PeerChange(PeerConfiguration Peer, IReadOnlyList<PeerConfiguration> Losers);
