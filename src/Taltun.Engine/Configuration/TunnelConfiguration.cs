using System.Net;
using System.Net.Sockets;
using Taltun.Crypto;
using Taltun.Routing;
using Taltun.Foundation;

namespace Taltun.Configuration;

/// <summary>
/// A tunnel as the user describes it — Taltun's TOML schema or a wg-quick file — before the
/// mode's defaults are applied. <see cref="ToOptions"/> turns it into what the engine runs:
///   server: each peer may use its virtual IP and allowed IPs; the hub relays between them;
///   client: the first peer with an endpoint is the hub; it also gets the whole VPN subnet and
///           every configured route, and is kept alive (25 s) so the client is reachable;
///   peer:   plain WireGuard, as wg-quick runs it: each peer gets exactly its allowed IPs and
///           keepalive, nothing is relayed, and a /0 allowed IP routes everything (as 0.0.0.0/1
///           and 128.0.0.0/1, so more specific routes still win, as wg-quick's rules let them).
/// Immutable: parameters override a file by building a changed copy (with-expressions).
/// </summary>
public sealed record TunnelConfiguration
{
    public const int ClientKeepaliveSeconds = 25;

    public const string DefaultInterfaceName = "tun0";

    public TunnelMode Mode { get; init; } = TunnelMode.Server;

    public string InterfaceName { get; init; } = DefaultInterfaceName;

    /// <summary>The virtual IP(s) with prefix; required.</summary>
    public IReadOnlyList<InterfaceAddress> Addresses { get; init; } = [];

    public IPEndPoint ListenEndPoint { get; init; } = new(IPAddress.Any, TunnelOptions.DefaultPort);

    /// <summary>The key itself (inline private_key, or read from <see cref="PrivateKeyFile"/>).</summary>
    public PrivateKey? PrivateKey { get; init; }

    /// <summary>Where the private key was read from, kept so a saved file points there again instead of inlining it.</summary>
    public string? PrivateKeyFile { get; init; }

    public int Mtu { get; init; } = TunnelOptions.DefaultMtu;

    public IReadOnlyList<IPNetwork> Routes { get; init; } = [];

    /// <summary>mss_clamping: lower the MSS of TCP SYNs crossing the tunnel to fit its MTU (default on).</summary>
    public bool MssClamping { get; init; } = true;

    /// <summary>keep_warm: after traffic, wake the packet loops that carried it every millisecond for a second (default off; see <see cref="TunnelOptions.KeepWarm"/>).</summary>
    public bool KeepWarm { get; init; }

    public IReadOnlyList<PeerConfiguration> Peers { get; init; } = [];

    /// <summary>relay: what a hub relays between its peers (null: the default, all); only a server relays.</summary>
    public RelayMode? Relay { get; init; }

    /// <summary>[[relay_rules]]: what relay = "rules" allows.</summary>
    public IReadOnlyList<RelayRule> RelayRules { get; init; } = [];

    /// <summary>dns: name servers and search domains for the host while the tunnel runs; null for none.</summary>
    public DnsSettings? Dns { get; init; }

    /// <summary>pre_up, post_up, pre_down, post_down (wg-quick's PreUp, ...): commands run by bash, %i the interface name.</summary>
    public IReadOnlyList<HookCommand> Hooks { get; init; } = [];

    /// <summary>table (wg-quick's Table): auto, or off for no routes.</summary>
    public RouteTable Table { get; init; } = RouteTable.Auto;

    /// <summary>fwmark (wg-quick's FwMark): a firewall mark on the tunnel's UDP packets; 0 for none.</summary>
    public uint FirewallMark { get; init; }

    /// <summary>save_config (wg-quick's SaveConfig): write the running configuration back to its file when the tunnel stops.</summary>
    public bool SaveConfig { get; init; }

    /// <summary>control_group: a group whose members may operate the running tunnel over its control socket (never read its keys); null: root and the tunnel's user only.</summary>
    public string? ControlGroup { get; init; }

    /// <summary>The file this came from (for errors and for saving back), or null.</summary>
    public string? SourcePath { get; init; }

    /// <summary>The format of <see cref="SourcePath"/>: saving back writes the same format.</summary>
    public ConfigurationFormat SourceFormat { get; init; } = ConfigurationFormat.Toml;

    /// <summary>Problems that do not stop the tunnel (e.g. a key file readable by others).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The peer a client sends everything to: its first peer with an endpoint.</summary>
    public PeerConfiguration? Hub => Mode == TunnelMode.Client ? Peers.FirstOrDefault(p => p.Endpoint is not null) : null;

    /// <summary>Checks the whole configuration and applies the mode: the engine's options, or a <see cref="ConfigurationException"/>.</summary>
    public TunnelOptions ToOptions()
    {
        if (PrivateKey is null)
        {
            throw SourceFormat == ConfigurationFormat.WgQuick
                ? Error(0, "interface.private_key", "no private key: add PrivateKey = (the output of wg genkey or New-TaltunKey) under [Interface].")
                : Error(0, "interface.private_key", "no private key: set private_key (base64 or hex) or private_key_file. New-TaltunKey makes one.");
        }

        if (Addresses.Count == 0)
        {
            throw SourceFormat == ConfigurationFormat.WgQuick
                ? Error(0, "interface.vip", "no address: Taltun needs one for the interface, e.g. Address = 10.0.0.2/24 under [Interface].")
                : Error(0, "interface.vip", "no virtual IP: set vip, e.g. vip = \"10.0.0.1/24\".");
        }

        if (SourceFormat == ConfigurationFormat.WgQuick && !Limits.IsInterfaceName(InterfaceName))
        {
            throw Error(0, "file name", $"the tunnel is named after its file, as wg-quick names the interface, and {MessageText.Quote(InterfaceName)} is not an interface name: rename the file to at most 15 letters, digits, '_', '-' or '.' before .conf (e.g. wg0.conf), or give -Name.");
        }

        if (Dns?.Problem() is { } dnsProblem)
        {
            throw Error(0, "interface.dns", dnsProblem);
        }

        CheckHooks();

        PeerConfiguration? hub = Hub;
        if (Mode == TunnelMode.Client && hub is null)
        {
            throw Peers.Count == 0
                ? Error(0, "peers", "a client needs its hub: add it as a peer with its public key and endpoint ([[peers]] with public_key and endpoint, or -Peer 'KEY,VIP,HOST:PORT'), or use mode = \"server\".")
                : Error(Peers[0].Line, "peers[1].endpoint", "a client needs its hub's endpoint: set endpoint = \"host:port\" on the hub's [[peers]] entry, or use mode = \"server\".");
        }

        IReadOnlyList<string> peerWarnings = CheckPeers();

        var peers = new List<PeerOptions>();
        foreach (PeerConfiguration peer in Peers)
        {
            peers.Add(ToPeerOptions(peer, peer == hub));
        }

        var options = new TunnelOptions
        {
            Relay = RelayPolicyOf(),
            InterfaceName = InterfaceName,
            PrivateKey = PrivateKey,
            ListenEndPoint = ListenEndPoint,
            Addresses = Addresses,
            Mtu = Mtu,
            Routes = [.. Routes, .. DefaultRouteHalves(peers)],
            Peers = peers,
            ClampMss = MssClamping,
            KeepWarm = KeepWarm,
            Warnings = [.. Warnings, .. peerWarnings],
            Configuration = this,
            Dns = Dns,
            Hooks = Hooks,
            AddRoutes = Table == RouteTable.Auto,
            FirewallMark = FirewallMark,
        };
        try
        {
            options.Validate();
        }
        catch (TunnelException e)
        {
            throw Error(0, "interface", e.Message);
        }

        return options;
    }

    /// <summary>A server relays as configured (all by default); a client or a plain peer relays nothing: what is not for it goes to its host.</summary>
    private RelayPolicy? RelayPolicyOf()
    {
        if (Mode != TunnelMode.Server)
        {
            if (Relay is not null || RelayRules.Count > 0)
            {
                throw Error(0, "interface.relay", "only a hub relays between peers: relay and [[relay_rules]] apply to mode = \"server\".");
            }

            return null;
        }

        if (Relay == RelayMode.Rules && RelayRules.Count == 0)
        {
            throw Error(0, "interface.relay", "relay = \"rules\" needs at least one [[relay_rules]] entry; relay = \"none\" relays nothing.");
        }

        if (Relay != RelayMode.Rules && RelayRules.Count > 0)
        {
            throw Error(0, "relay_rules", "[[relay_rules]] apply only with relay = \"rules\" under [interface].");
        }

        return Relay switch
        {
            RelayMode.None => RelayPolicy.None,
            RelayMode.Rules => new RelayPolicy(RelayMode.Rules, RelayRules),
            _ => RelayPolicy.All,
        };
    }

    /// <summary>The engine's view of one of this configuration's peers, with the mode's defaults (for adding a peer live).</summary>
    public PeerOptions PeerOptionsFor(PeerConfiguration peer) => ToPeerOptions(peer, IsHub(peer));

    /// <summary>
    /// Throws if a peer uses the tunnel's own key or address, repeats a public key, or claims a
    /// prefix an earlier peer has (naming that peer). A peer that owns no address at all is
    /// legal WireGuard (<c>wg set</c> leaves one when its last address moves away), so it is a
    /// warning, returned.
    /// </summary>
    public IReadOnlyList<string> CheckPeers()
    {
        var warnings = new List<string>();
        var keys = new HashSet<PublicKey>();
        var owners = new Dictionary<IPNetwork, PeerConfiguration>();
        for (int i = 0; i < Peers.Count; i++)
        {
            PeerConfiguration peer = Peers[i];
            if ((KeyProblem(peer) ?? (keys.Add(peer.PublicKey) ? null : $"{peer.PublicKey} {PeerRules.ListedTwice}")) is { } keyProblem)
            {
                throw Error(peer.Line, PeerField(i, "public_key"), keyProblem);
            }

            if (VirtualIPProblem(peer) is { } vipProblem)
            {
                throw Error(peer.Line, PeerField(i, "vip"), vipProblem);
            }

            List<(IPNetwork Prefix, string Field)> claims = ClaimsOf(peer, IsHub(peer));
            if (claims.Count == 0)
            {
                warnings.Add(Error(peer.Line, PeerField(i, string.Empty), SourceFormat == ConfigurationFormat.WgQuick ? PeerRules.OwnsNothing("AllowedIPs") : PeerRules.OwnsNothing("vip", "allowed_ips")).Message);
            }

            foreach ((IPNetwork prefix, string field) in claims)
            {
                if (owners.TryGetValue(prefix, out PeerConfiguration? owner) && !ReferenceEquals(owner, peer))
                {
                    throw Error(peer.Line, PeerField(i, field), $"{prefix} {PeerRules.AlreadyBelongsTo(owner.PublicKey, owner.VirtualIP)}; each address belongs to one peer.");
                }

                owners[prefix] = peer;
            }
        }

        return warnings;
    }

    private bool IsHub(PeerConfiguration peer) => Hub is { } hub && hub.PublicKey == peer.PublicKey;

    internal PeerOptions ToPeerOptions(PeerConfiguration peer, bool isHub)
    {
        int keepalive = peer.PersistentKeepalive ?? (isHub ? ClientKeepaliveSeconds : 0);
        return new PeerOptions
        {
            PublicKey = peer.PublicKey,
            PresharedKey = peer.PresharedKey,
            Endpoint = peer.Endpoint is null ? null : ResolveEndpoint(peer),
            AllowedIps = [.. ClaimsOf(peer, isHub).Select(c => c.Prefix).Distinct()],
            PersistentKeepalive = TimeSpan.FromSeconds(keepalive),
        };
    }

    /// <summary>
    /// The prefixes routed to a peer, each with the key it comes from: its virtual IP's host
    /// prefix, its allowed IPs, and for a client's hub (key "") the whole VPN subnet and every
    /// route, since a spoke reaches the other spokes and the routed networks only through its hub.
    /// </summary>
    internal List<(IPNetwork Prefix, string Field)> ClaimsOf(PeerConfiguration peer, bool isHub)
    {
        var claims = new List<(IPNetwork Prefix, string Field)>();
        if (peer.VirtualIP is { } vip)
        {
            claims.Add((new InterfaceAddress(vip, 0).Host, "vip"));
        }

        claims.AddRange(peer.AllowedIps.Select(a => (a, "allowed_ips")));
        if (isHub)
        {
            claims.AddRange(Addresses.Select(a => (a.Network, string.Empty)));
            claims.AddRange(Routes.Select(r => (r, string.Empty)));
        }

        return claims;
    }

    /// <summary>Why <paramref name="peer"/>'s public key cannot be a peer's, or null.</summary>
    internal string? KeyProblem(PeerConfiguration peer) => PrivateKey switch
    {
        null => null,
        _ when peer.PublicKey == PrivateKey.PublicKey => PeerRules.OwnKey,
        _ when PrivateKey.SameBytesAs(peer.PublicKey) => PeerRules.OwnPrivateKey,
        _ => null,
    };

    /// <summary>Why <paramref name="peer"/>'s virtual IP cannot be a peer's, or null.</summary>
    internal string? VirtualIPProblem(PeerConfiguration peer)
    {
        if (peer.VirtualIP is not { } vip)
        {
            return null;
        }

        if (Addresses.Any(a => a.Address.Equals(vip)))
        {
            return $"{vip} is this tunnel's own address; each virtual IP belongs to one host.";
        }

        return Addresses.Select(a => (a.Network, Reserved: InterfaceAddress.ReservedIn(a.Network, vip))).FirstOrDefault(r => r.Reserved is not null) is ({ } subnet, { } reserved)
            ? $"{vip} is the {reserved} of the tunnel's subnet {subnet}, not a host's address."
            : null;
    }

    private IPEndPoint ResolveEndpoint(PeerConfiguration peer)
    {
        if (!EndpointText.TrySplit(peer.Endpoint!, out string host, out int port, out string problem))
        {
            throw Error(peer.Line, PeerField(Index(peer), "endpoint"), problem);
        }

        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return new IPEndPoint(literal, port);
        }

        try
        {
            IPAddress address = System.Net.Dns.GetHostAddresses(host).OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).First();
            return new IPEndPoint(address, port);
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException or ArgumentException)
        {
            throw Error(peer.Line, PeerField(Index(peer), "endpoint"), $"cannot resolve {MessageText.Quote(host)}: {e.Message}");
        }
    }

    /// <summary>The allowed IPs the engine gives <paramref name="peer"/>: what a wg-quick file writes as its AllowedIPs.</summary>
    public IReadOnlyList<IPNetwork> AllowedIpsOf(PeerConfiguration peer) => [.. ClaimsOf(peer, IsHub(peer)).Select(c => c.Prefix).Distinct()];

    /// <summary>The keepalive the engine gives <paramref name="peer"/>, in seconds (the mode's default where none is set).</summary>
    public int KeepaliveOf(PeerConfiguration peer) => peer.PersistentKeepalive ?? (IsHub(peer) ? ClientKeepaliveSeconds : 0);

    /// <summary>
    /// For a plain peer with routes on, the two halves of every address family that a peer's /0
    /// allowed IP covers: everything goes through the tunnel, as wg-quick routes it, while the
    /// more specific routes of the LAN still win (wg-quick's suppress_prefixlength 0 does the same).
    /// </summary>
    private IEnumerable<IPNetwork> DefaultRouteHalves(IEnumerable<PeerOptions> peers)
    {
        if (Mode != TunnelMode.Peer || Table != RouteTable.Auto)
        {
            return [];
        }

        return peers.SelectMany(p => p.AllowedIps).Where(p => p.PrefixLength == 0).Distinct().SelectMany(p => p.BaseAddress.AddressFamily == AddressFamily.InterNetwork
            ? new[] { IPNetwork.Parse("0.0.0.0/1"), IPNetwork.Parse("128.0.0.0/1") }
            : [IPNetwork.Parse("::/1"), IPNetwork.Parse("8000::/1")]).Where(h => !Routes.Contains(h));
    }

    /// <summary>
    /// Hooks run commands as root: the file that holds them, each hook's program and the files it
    /// names by absolute path must be changeable by root and this user only, or whoever can write
    /// them runs commands as root when the tunnel starts or stops.
    /// </summary>
    private void CheckHooks()
    {
        foreach (HookCommand hook in Hooks)
        {
            string field = HookField(hook.Phase);
            if (SourcePath is not null && TrustedPath.Problem(SourcePath) is { } fileProblem)
            {
                throw Error(hook.Line, field, $"this file makes Taltun run commands as root, yet {fileProblem}");
            }

            // Its program and every regular file it names by absolute path (a script given to bash,
            // rules given to nft; not /dev/null): whoever can change one chooses what root runs.
            foreach (string word in hook.Command.Split((char[])[' ', '\t', '<', '>', ';', '|', '&', '\'', '"', '='], StringSplitOptions.RemoveEmptyEntries))
            {
                if (word.StartsWith('/') && TrustedPath.IsRegularFile(word) && TrustedPath.Problem(word) is { } fileOfHookProblem)
                {
                    throw Error(hook.Line, field, $"this hook runs as root with a file someone else controls: {fileOfHookProblem}");
                }
            }
        }
    }

    private static string HookField(HookPhase phase) => phase switch
    {
        HookPhase.PreUp => "interface.pre_up",
        HookPhase.PostUp => "interface.post_up",
        HookPhase.PreDown => "interface.pre_down",
        _ => "interface.post_down",
    };

    private static string PeerField(int index, string field) => field.Length == 0 ? $"peers[{index + 1}]" : $"peers[{index + 1}].{field}";

    private int Index(PeerConfiguration peer) => Math.Max(0, Peers.ToList().FindIndex(p => ReferenceEquals(p, peer)));

    private static ConfigurationException Invalid(string parameter, string problem) => ParameterValues.Invalid(parameter, problem);

    /// <summary>An error about <paramref name="key"/>, named as TOML names it, or as wg-quick does for a wg-quick file.</summary>
    private ConfigurationException Error(int line, string key, string problem) =>
        new(SourcePath, line, SourceFormat == ConfigurationFormat.WgQuick ? WgQuickFile.KeyFor(key) : key, problem);
}
