using System.Net;
using Taltun.Crypto;

namespace Taltun.Configuration;

/// <summary>
/// Planning a <see cref="TunnelUpdate"/> (<c>wg set</c>, the userspace API, Set-TaltunPeer):
/// the peer blocks are played in order on a draft over the running configuration, so each sees
/// what the blocks before it did, and the result is the difference — peers removed, added and
/// changed — that the tunnel applies. Nothing changes until the whole update has been checked.
/// </summary>
public sealed partial class RunningConfiguration
{
    /// <summary>
    /// Checks <paramref name="update"/> against the configuration as it runs and returns what it
    /// changes; throws <see cref="ConfigurationException"/> (the key named as <paramref name="names"/>
    /// spell it) and changes nothing if any part is refused. Endpoints are resolved here.
    /// </summary>
    public ConfigurationDelta Plan(TunnelUpdate update, UpdateNames names)
    {
        var draft = new Draft(this);
        var warnings = new List<string>();
        PublicKey ownKey = update.PrivateKey?.PublicKey ?? _interface.PrivateKey!.PublicKey;
        if (update.PrivateKey is { } key && draft.Get(key.PublicKey) is not null)
        {
            // As wireguard-go: a peer that has the tunnel's new key can no longer be a peer.
            draft.Remove(key.PublicKey);
            warnings.Add($"Peer {key.PublicKey} is removed: it has the tunnel's new public key.");
        }

        if (update.ReplacePeers)
        {
            foreach (PublicKey existing in draft.Keys.ToList())
            {
                draft.Remove(existing);
            }
        }

        foreach (PeerUpdate change in update.Peers)
        {
            if (change.PublicKey == ownKey)
            {
                // wg set ignores a block for the tunnel's own key.
                continue;
            }

            if (_interface.PrivateKey is { } own && (update.PrivateKey ?? own).SameBytesAs(change.PublicKey))
            {
                throw names.Invalid(names.PublicKey, PeerRules.OwnPrivateKey);
            }

            PlanPeer(draft, change, names);
        }

        return draft.ToDelta(update, warnings, names);
    }

    /// <summary>The tunnel's private key as it runs now.</summary>
    public PrivateKey PrivateKey => _interface.PrivateKey!;

    /// <summary>The address the tunnel listens on (its port may change; the address only with a restart).</summary>
    public IPAddress ListenAddress => _interface.ListenEndPoint.Address;

    public uint FirewallMark => _interface.FirewallMark;

    /// <summary>The interface's configured routes as they run now.</summary>
    public IReadOnlyList<IPNetwork> Routes => _interface.Routes;

    /// <summary>
    /// Plans a reload from <paramref name="next"/>, which passed <see cref="TunnelConfiguration.ToOptions"/>
    /// as <paramref name="options"/>: the peers that leave, join and change (a peer written the
    /// same way is left alone, sessions and roamed endpoint included), the private key, port,
    /// firewall mark and routes. What only a restart changes keeps its running value; each such
    /// difference is a warning.
    /// </summary>
    public ConfigurationDelta PlanReload(TunnelConfiguration next, TunnelOptions options)
    {
        TunnelConfiguration now = _interface;
        var warnings = new List<string>(next.Warnings);
        void NeedsRestart(string key, bool differs)
        {
            if (differs)
            {
                warnings.Add($"{key} changed in {next.SourcePath ?? "the configuration"}; it takes effect when the tunnel restarts (Stop-TaltunTunnel, then Start-TaltunTunnel).");
            }
        }

        NeedsRestart("mode", next.Mode != now.Mode);
        NeedsRestart("the tunnel's addresses (vip)", !next.Addresses.SequenceEqual(now.Addresses));
        NeedsRestart("mtu", next.Mtu != now.Mtu);
        NeedsRestart("the listen address", !next.ListenEndPoint.Address.Equals(now.ListenEndPoint.Address));
        NeedsRestart("mss_clamping", next.MssClamping != now.MssClamping);
        NeedsRestart("keep_warm", next.KeepWarm != now.KeepWarm);
        NeedsRestart("relay", next.Relay != now.Relay || !next.RelayRules.SequenceEqual(now.RelayRules));
        NeedsRestart("dns", !SameDns(next.Dns, now.Dns));
        NeedsRestart("the hooks", !next.Hooks.SequenceEqual(now.Hooks));
        NeedsRestart("table", next.Table != now.Table);
        NeedsRestart("control_group", next.ControlGroup != now.ControlGroup);
        NeedsRestart("the hub (a client's first peer with an endpoint)", next.Hub?.PublicKey != _hub && next.Hub is not null);

        var keys = new HashSet<PublicKey>(next.Peers.Select(p => p.PublicKey));
        var added = new List<PeerDifference>();
        var changed = new List<PeerDifference>();
        for (int i = 0; i < next.Peers.Count; i++)
        {
            PeerConfiguration peer = next.Peers[i];
            PeerConfiguration? before = Find(peer.PublicKey);
            if (before is null)
            {
                added.Add(new PeerDifference(null, peer, options.Peers[i]));
            }
            else if (!PeerConfiguration.SameSettings(before, peer))
            {
                changed.Add(new PeerDifference(before, peer, options.Peers[i]));
            }
        }

        return new ConfigurationDelta
        {
            PrivateKey = next.PrivateKey,
            // The port as configured: a tunnel started on port 0 keeps the one the kernel chose.
            ListenPort = next.ListenEndPoint.Port == now.ListenEndPoint.Port ? null : next.ListenEndPoint.Port,
            FirewallMark = next.FirewallMark,
            Removed = [.. _order.Where(k => !keys.Contains(k))],
            Added = added,
            Changed = changed,
            Warnings = warnings,
            Interface = next with
            {
                Peers = [],
                Mode = now.Mode,
                Addresses = now.Addresses,
                Mtu = now.Mtu,
                ListenEndPoint = new IPEndPoint(now.ListenEndPoint.Address, next.ListenEndPoint.Port),
                MssClamping = now.MssClamping,
                KeepWarm = now.KeepWarm,
                Relay = now.Relay,
                RelayRules = now.RelayRules,
                Dns = now.Dns,
                Hooks = now.Hooks,
                Table = now.Table,
                ControlGroup = now.ControlGroup,
                Warnings = [],
            },
        };
    }

    /// <summary>Applies a planned delta: interface values, then the peers removed, changed and added (the added go last in order).</summary>
    public void Apply(ConfigurationDelta delta)
    {
        _interface = delta.Interface ?? _interface with
        {
            PrivateKey = delta.PrivateKey ?? _interface.PrivateKey,
            PrivateKeyFile = delta.PrivateKey is null ? _interface.PrivateKeyFile : null,
            ListenEndPoint = delta.ListenPort is { } port ? new IPEndPoint(_interface.ListenEndPoint.Address, port) : _interface.ListenEndPoint,
            FirewallMark = delta.FirewallMark ?? _interface.FirewallMark,
        };

        foreach (PublicKey removed in delta.Removed)
        {
            Remove(removed);
        }

        foreach (PeerDifference changed in delta.Changed)
        {
            Replace(changed.After);
        }

        foreach (PeerDifference added in delta.Added)
        {
            Apply(new PeerChange(added.After, []));
        }
    }

    private static bool SameDns(DnsSettings? a, DnsSettings? b) =>
        (a?.Servers ?? []).SequenceEqual(b?.Servers ?? []) && (a?.SearchDomains ?? []).SequenceEqual(b?.SearchDomains ?? []);

    private void PlanPeer(Draft draft, PeerUpdate change, UpdateNames names)
    {
        PeerConfiguration? peer = draft.Get(change.PublicKey);
        if (change.Remove)
        {
            draft.Remove(change.PublicKey);
            return;
        }

        if (peer is null)
        {
            if (change.UpdateOnly)
            {
                return;
            }

            peer = new PeerConfiguration { PublicKey = change.PublicKey };
        }

        if (change.PersistentKeepalive is { } keepalive && !PeerRules.IsKeepaliveInRange(TimeSpan.FromSeconds(keepalive)))
        {
            throw names.Invalid(names.PersistentKeepalive, PeerRules.KeepaliveOutOfRange(TimeSpan.FromSeconds(keepalive)));
        }

        peer = peer with
        {
            PresharedKey = change.ClearPresharedKey ? null : change.PresharedKey ?? peer.PresharedKey,
            Endpoint = change.Endpoint is null ? peer.Endpoint
                : EndpointText.TrySplit(change.Endpoint, out _, out _, out string problem) ? change.Endpoint : throw names.Invalid(names.Endpoint, problem),
            PersistentKeepalive = change.PersistentKeepalive ?? peer.PersistentKeepalive,
        };

        if (change.ReplaceAllowedIps || change.AllowedIps.Count > 0)
        {
            peer = WithAllowedIps(draft, peer, change, names);
        }

        draft.Put(peer);
    }

    /// <summary>The peer with its allowed IPs changed as the block says; prefixes it takes leave their owners.</summary>
    private PeerConfiguration WithAllowedIps(Draft draft, PeerConfiguration peer, PeerUpdate change, UpdateNames names)
    {
        bool isHub = IsHub(peer.PublicKey);
        HashSet<IPNetwork> fixedClaims = [.. _interface.ClaimsOf(peer with { VirtualIP = null, AllowedIps = [] }, isHub).Select(c => c.Prefix)];
        IPNetwork? vipHost = peer.VirtualIP is { } vip ? new InterfaceAddress(vip, 0).Host : null;
        var prefixes = new List<IPNetwork>(change.ReplaceAllowedIps ? [] : _interface.ClaimsOf(peer, isHub).Select(c => c.Prefix).Where(p => !fixedClaims.Contains(p)));
        foreach (AllowedIpChange step in change.AllowedIps)
        {
            IPNetwork prefix = step.Prefix;
            if (step.Remove)
            {
                if (fixedClaims.Contains(prefix))
                {
                    throw names.Invalid(names.AllowedIps, $"{prefix} is routed to this client's hub (the VPN subnet and routes go to the hub); it cannot be removed from it.");
                }

                prefixes.Remove(prefix);
            }
            else if (!prefixes.Contains(prefix) && !fixedClaims.Contains(prefix))
            {
                prefixes.Add(prefix);
            }
        }

        foreach (IPNetwork prefix in prefixes)
        {
            if (draft.OwnerOf(prefix) is { } ownerKey && ownerKey != peer.PublicKey)
            {
                PeerConfiguration owner = draft.Get(ownerKey)!;
                PeerConfiguration left = Without(owner, prefix);
                if (_interface.ClaimsOf(left, IsHub(ownerKey)).Any(c => c.Prefix == prefix))
                {
                    throw names.Invalid(names.AllowedIps, $"{prefix} is routed to peer {ownerKey} because it is this client's hub (the VPN subnet and routes go to the hub); it cannot move.");
                }

                draft.Put(left);
            }
        }

        return peer with
        {
            VirtualIP = vipHost is { } host && prefixes.Contains(host) ? peer.VirtualIP : null,
            AllowedIps = [.. prefixes.Where(p => p != vipHost)],
        };
    }

    /// <summary>Replaces a peer's entry in place (it keeps its position) and what it claims.</summary>
    private void Replace(PeerConfiguration peer)
    {
        var (before, node) = _peers[peer.PublicKey];
        foreach ((IPNetwork prefix, _) in _interface.ClaimsOf(before, IsHub(peer.PublicKey)))
        {
            if (_owners.TryGetValue(prefix, out PublicKey? owner) && owner == peer.PublicKey)
            {
                _owners.Remove(prefix);
            }
        }

        _peers[peer.PublicKey] = (peer, node);
        Claim(peer);
    }

    /// <summary>The running configuration with an update's changes laid over it, peer by peer.</summary>
    private sealed class Draft(RunningConfiguration running)
    {
        private readonly Dictionary<PublicKey, PeerConfiguration?> _changed = [];
        private readonly List<PublicKey> _order = [];
        private readonly Dictionary<IPNetwork, PublicKey?> _owners = [];

        /// <summary>Every peer the draft has: the running ones not removed, then the new ones.</summary>
        public IEnumerable<PublicKey> Keys => running._order.Where(k => !_changed.TryGetValue(k, out PeerConfiguration? p) || p is not null)
            .Concat(_order.Where(k => !running._peers.ContainsKey(k) && _changed[k] is not null));

        public PeerConfiguration? Get(PublicKey key) => _changed.TryGetValue(key, out PeerConfiguration? peer) ? peer : running.Find(key);

        public PublicKey? OwnerOf(IPNetwork prefix) => _owners.TryGetValue(prefix, out PublicKey? owner) ? owner : running._owners.GetValueOrDefault(prefix);

        public void Put(PeerConfiguration peer)
        {
            Unclaim(peer.PublicKey);
            Track(peer.PublicKey, peer);
            foreach ((IPNetwork prefix, _) in running._interface.ClaimsOf(peer, running.IsHub(peer.PublicKey)))
            {
                _owners[prefix] = peer.PublicKey;
            }
        }

        public void Remove(PublicKey key)
        {
            Unclaim(key);
            Track(key, null);
        }

        public ConfigurationDelta ToDelta(TunnelUpdate update, List<string> warnings, UpdateNames names)
        {
            var removed = new List<PublicKey>();
            var added = new List<PeerDifference>();
            var changed = new List<PeerDifference>();
            foreach (PublicKey key in _order)
            {
                PeerConfiguration? before = running.Find(key);
                PeerConfiguration? after = _changed[key] is { } changedPeer ? KeepVirtualIP(before, changedPeer) : null;
                if (after is null)
                {
                    if (before is not null)
                    {
                        removed.Add(key);
                    }

                    continue;
                }

                if (before is not null && PeerConfiguration.SameSettings(before, after))
                {
                    continue;
                }

                if (running._interface.ClaimsOf(after, running.IsHub(key)).Count == 0)
                {
                    warnings.Add($"Peer {key} owns no address now, so it can neither send nor receive until it has one.");
                }

                PeerOptions options = OptionsOf(after, names);
                (before is null ? added : changed).Add(new PeerDifference(before, after, options));
            }

            return new ConfigurationDelta
            {
                PrivateKey = update.PrivateKey,
                ListenPort = update.ListenPort,
                FirewallMark = update.FirewallMark,
                Removed = removed,
                Added = added,
                Changed = changed,
                Warnings = warnings,
            };
        }

        /// <summary>
        /// A peer created again in the same update (after replace_peers or remove, as wg setconf
        /// does) keeps its virtual IP while the host prefix stays among its allowed IPs.
        /// </summary>
        private static PeerConfiguration KeepVirtualIP(PeerConfiguration? before, PeerConfiguration after)
        {
            if (before?.VirtualIP is not { } vip || after.VirtualIP is not null)
            {
                return after;
            }

            IPNetwork host = new InterfaceAddress(vip, 0).Host;
            return after.AllowedIps.Contains(host) ? after with { VirtualIP = vip, AllowedIps = [.. after.AllowedIps.Where(p => p != host)] } : after;
        }

        private PeerOptions OptionsOf(PeerConfiguration peer, UpdateNames names)
        {
            try
            {
                return running.OptionsFor(peer);
            }
            catch (ConfigurationException e) when (peer.Endpoint is not null)
            {
                // The endpoint is the one value resolved here (a name that does not resolve).
                throw names.Invalid(names.Endpoint, e.Message[(e.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..]);
            }
        }

        private void Unclaim(PublicKey key)
        {
            if (Get(key) is not { } before)
            {
                return;
            }

            foreach ((IPNetwork prefix, _) in running._interface.ClaimsOf(before, running.IsHub(key)))
            {
                if (OwnerOf(prefix) == key)
                {
                    _owners[prefix] = null;
                }
            }
        }

        private void Track(PublicKey key, PeerConfiguration? peer)
        {
            if (!_changed.ContainsKey(key))
            {
                _order.Add(key);
            }

            _changed[key] = peer;
        }
    }
}
