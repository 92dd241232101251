using System.Net;
using Taltun.Configuration;
using Taltun.Crypto;
using Taltun.Protocol;
using Taltun.Transport;

namespace Taltun.Device;

/// <summary>
/// Changes to a running tunnel, as <c>wg set</c> and <c>wg syncconf</c> make them: an update or
/// a whole new configuration is first checked against the running configuration, then applied
/// to the protocol core, the kernel routes and the sockets. Peers whose settings do not change
/// are not touched, and a changed peer keeps its sessions (a new private key ends them all).
/// </summary>
public sealed partial class Tunnel
{
    /// <summary>
    /// Applies <paramref name="update"/> while traffic flows. Throws <see cref="ConfigurationException"/>
    /// (naming the key as <paramref name="names"/> spell it) or <see cref="Foundation.TunnelException"/>
    /// and changes nothing if any part is refused. Returns the warnings, which are also logged.
    /// </summary>
    public IReadOnlyList<string> Apply(TunnelUpdate update, UpdateNames names)
    {
        lock (_peerChanges)
        {
            ConfigurationDelta delta = _running.Plan(update, names);
            ApplyLocked(delta, routes: null);
            return delta.Warnings;
        }
    }

    /// <summary>
    /// Makes the running tunnel match <paramref name="next"/> (a configuration file read again):
    /// peers added, removed and changed, the private key, listen port, firewall mark and routes.
    /// What only a restart can change (addresses, MTU, mode, relay, DNS, hooks…) stays as it
    /// runs, each difference a warning. An invalid file throws and changes nothing.
    /// </summary>
    public IReadOnlyList<string> Reload(TunnelConfiguration next)
    {
        TunnelOptions options = next.ToOptions();
        lock (_peerChanges)
        {
            if (options.InterfaceName != InterfaceName)
            {
                throw new ConfigurationException(next.SourcePath, 0, "interface.tun_name", $"the file names tunnel '{options.InterfaceName}', but this is '{InterfaceName}'. Reload a tunnel from its own file.");
            }

            ConfigurationDelta delta = _running.PlanReload(next, options);
            ApplyLocked(delta, next.Routes);
            Log.Information($"Tunnel '{InterfaceName}' reloaded from {next.SourcePath ?? "a configuration"}: {delta.Added.Count} peer(s) added, {delta.Removed.Count} removed, {delta.Changed.Count} changed; the other peers' sessions were left alone.");
            return delta.Warnings;
        }
    }

    /// <summary>Applies a checked delta; <paramref name="routes"/> are the interface's routes from now on (null: unchanged).</summary>
    private void ApplyLocked(ConfigurationDelta delta, IReadOnlyList<IPNetwork>? routes)
    {
        PrivateKey key = delta.PrivateKey ?? _running.PrivateKey;
        foreach (PeerDifference peer in delta.Added.Concat(delta.Changed))
        {
            peer.Options.Validate(key);
        }

        // What can fail at the system comes first, before any peer changes.
        if (delta.ListenPort is { } port && port != ListenPort)
        {
            // Sockets belong to the namespace of the thread that opens them: this one may be anywhere.
            NetworkNamespaceThread.Run(_namespace, () =>
            {
                UdpSocket.MoveGroup(_sockets, new IPEndPoint(_running.ListenAddress, port), _shutdown, _options.UseOffloads);
                return 0;
            });
            FirewallMark.Apply(_sockets, delta.FirewallMark ?? _running.FirewallMark);
            Log.Information($"Tunnel '{InterfaceName}' now listens on UDP port {ListenPort}.");
        }

        if (delta.FirewallMark is { } mark && mark != _running.FirewallMark)
        {
            FirewallMark.Set(_sockets, mark);
        }

        if (delta.PrivateKey is { } privateKey && !privateKey.SameBytesAs(_running.PrivateKey))
        {
            _core.SetPrivateKey(privateKey);
            Log.Information($"Tunnel '{InterfaceName}' has a new key pair, public key {privateKey.PublicKey}; every session starts again.");
        }

        foreach (PublicKey removed in delta.Removed)
        {
            RemovePeerLocked(removed);
        }

        // Gains before losses: an address that moves between two peers keeps its kernel route.
        foreach (PeerDifference added in delta.Added)
        {
            AddPeerLocked(added.Options, movePrefixes: true);
        }

        var losses = new List<(Peer Peer, IPNetwork Prefix)>();
        foreach (PeerDifference changed in delta.Changed)
        {
            ChangePeerLocked(changed, losses);
        }

        foreach ((Peer peer, IPNetwork prefix) in losses)
        {
            if (_core.AllowedIps.OwnerOf(prefix) == peer)
            {
                _core.AllowedIps.Remove(prefix, peer);
                _setup.ReleasePeerRoute(prefix);
            }
        }

        if (routes is not null)
        {
            IReadOnlyList<IPNetwork> before = _running.Routes;
            foreach (IPNetwork route in routes.Except(before))
            {
                _setup.AcquirePeerRoute(route);
            }

            foreach (IPNetwork route in before.Except(routes))
            {
                _setup.ReleasePeerRoute(route);
            }
        }

        _running.Apply(delta);
        foreach (string warning in delta.Warnings)
        {
            Log.Warning(warning);
        }
    }

    /// <summary>A peer's new settings, its sessions kept; the allowed IPs it loses are collected, to go after every gain.</summary>
    private void ChangePeerLocked(PeerDifference change, List<(Peer Peer, IPNetwork Prefix)> losses)
    {
        Peer peer = _core.FindPeer(change.After.PublicKey)!;
        PeerOptions options = change.Options;
        var changes = new List<string>();
        if (change.Before!.Endpoint != change.After.Endpoint && options.Endpoint is { } endpoint)
        {
            // Only a newly written endpoint replaces the one the peer roamed to.
            peer.Endpoint = new UdpEndpoint(endpoint);
            _setup.ProtectEndpoint(endpoint.Address);
            changes.Add($"endpoint {endpoint}");
        }

        if (options.PersistentKeepalive != peer.PersistentKeepalive)
        {
            _core.SetPersistentKeepalive(peer, options.PersistentKeepalive);
            changes.Add(options.PersistentKeepalive > TimeSpan.Zero ? $"persistent keepalive {options.PersistentKeepalive.TotalSeconds:0} s" : "no persistent keepalive");
        }

        if (!SamePresharedKey(peer.PresharedKey, options.PresharedKey))
        {
            ProtocolCore.SetPresharedKey(peer, options.PresharedKey);
            changes.Add(options.PresharedKey is null ? "no preshared key" : "a new preshared key");
        }

        IReadOnlyList<IPNetwork> current = _core.AllowedIps.PrefixesOf(peer);
        if (current.Count != options.AllowedIps.Count || current.Except(options.AllowedIps).Any())
        {
            foreach (IPNetwork prefix in options.AllowedIps.Except(current))
            {
                Peer? previous = _core.AllowedIps.OwnerOf(prefix);
                _core.AllowedIps.Insert(prefix, peer);
                if (previous is null)
                {
                    _setup.AcquirePeerRoute(prefix);
                }
            }

            losses.AddRange(current.Except(options.AllowedIps).Select(p => (peer, p)));
            changes.Add($"allowed IPs {string.Join(", ", options.AllowedIps)}");
        }

        if (changes.Count > 0)
        {
            Log.Information($"Peer {peer.PublicKey} changed: {string.Join("; ", changes)}.");
        }
    }

    private static bool SamePresharedKey(PresharedKey? a, PresharedKey? b) => (a, b) switch
    {
        (null, null) => true,
        ({ } x, { } y) => x.SameBytesAs(y),
        _ => false,
    };
}
