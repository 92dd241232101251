using System.Net;
using System.Net.Sockets;
using Taltun.Crypto;
using Taltun.Foundation;
using Taltun.Routing;

namespace Taltun.Configuration;

/// <summary>
/// Everything a tunnel needs to start, already parsed. <see cref="Validate"/> checks what parsing
/// cannot (names, ranges, duplicates) before anything on the system is touched. Immutable; the
/// tunnel does not take ownership of the keys.
/// </summary>
public sealed partial record TunnelOptions
{
    public const int DefaultMtu = 1420;
    public const int DefaultPort = 9000;
    public const int DefaultPrefixLength = 24;

    /// <summary>The TUN interface name (IFNAMSIZ: at most 15 characters).</summary>
    public required string InterfaceName { get; init; }

    public required PrivateKey PrivateKey { get; init; }

    public IPEndPoint ListenEndPoint { get; init; } = new(IPAddress.Any, DefaultPort);

    /// <summary>The tunnel's own addresses (the virtual IP, optionally an IPv6 one too).</summary>
    public IReadOnlyList<InterfaceAddress> Addresses { get; init; } = [];

    public int Mtu { get; init; } = DefaultMtu;

    /// <summary>Kernel routes through the interface, beyond the address's own subnet (e.g. 0.0.0.0/1 and 128.0.0.0/1 for a full tunnel).</summary>
    public IReadOnlyList<IPNetwork> Routes { get; init; } = [];

    public IReadOnlyList<PeerOptions> Peers { get; init; } = [];

    /// <summary>
    /// Segmentation offloads: TUN super-packets (TSO/USO in, GRO-style merging out) and UDP GSO/GRO,
    /// each where the kernel supports it. Off only to measure what they gain.
    /// </summary>
    public bool UseOffloads { get; init; } = true;

    /// <summary>
    /// What this tunnel relays from one peer to another, as a hub: all (the default), none, or what
    /// rules allow. Null for a tunnel that is not a hub: a packet for another peer goes to the
    /// host's own stack, whose forwarding settings and firewall decide, as with WireGuard.
    /// </summary>
    public RelayPolicy? Relay { get; init; } = RelayPolicy.All;

    /// <summary>
    /// The configuration these options were made from, which the tunnel keeps current as peers
    /// change (to save it, or derive a client's from it); null for options built directly, whose
    /// tunnel describes its peers by their allowed IPs.
    /// </summary>
    public TunnelConfiguration? Configuration { get; init; }

    /// <summary>Lower the MSS of TCP SYNs crossing the tunnel to fit its MTU (both directions).</summary>
    public bool ClampMss { get; init; } = true;

    /// <summary>
    /// After traffic, wake each packet loop that carried it every millisecond for a second, so a
    /// packet after a short pause finds the path warm: less latency for sparse traffic, for some
    /// CPU while it flows (see <see cref="Device.WarmWindow"/>). Off by default.
    /// </summary>
    public bool KeepWarm { get; init; }

    /// <summary>
    /// TUN queues (IFF_MULTI_QUEUE), each read and encrypted by one packet loop; the kernel sends a
    /// flow to the queue that last wrote its packets, or spreads new flows over them by hash.
    /// </summary>
    public int TunQueues { get; init; } = Tuning.DefaultPacketLoops;

    /// <summary>UDP sockets in the SO_REUSEPORT group, each received on by one packet loop (the loop of the TUN queue of the same number).</summary>
    public int ReceiveThreads { get; init; } = Tuning.DefaultPacketLoops;

    /// <summary>
    /// A named network namespace (as in <c>ip netns</c>) to create the interface and sockets in,
    /// instead of the calling process's; null for the process's own.
    /// </summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>Name servers and search domains for the host while the tunnel runs; null for none.</summary>
    public DnsSettings? Dns { get; init; }

    /// <summary>Commands run as the tunnel comes up and goes down (wg-quick's PreUp, PostUp, PreDown, PostDown), in order.</summary>
    public IReadOnlyList<HookCommand> Hooks { get; init; } = [];

    /// <summary>Add kernel routes for the configured routes and the peers' allowed IPs; false as wg-quick's Table = off.</summary>
    public bool AddRoutes { get; init; } = true;

    /// <summary>A firewall mark (SO_MARK) on the tunnel's UDP packets, for policy routing (wg-quick's FwMark); 0 for none.</summary>
    public uint FirewallMark { get; init; }

    /// <summary>Problems found while configuring that do not stop the tunnel (e.g. a key file others can read); the tunnel logs them as it starts.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The TUN clone device, null for /dev/net/tun; only tests point it elsewhere.</summary>
    internal string? TunDevicePath { get; init; }

    /// <summary>Throws <see cref="TunnelException"/> (InvalidOptions) naming the first bad setting and how to fix it.</summary>
    public void Validate()
    {
        if (!Limits.IsInterfaceName(InterfaceName))
        {
            throw Invalid($"InterfaceName {MessageText.Quote(InterfaceName ?? string.Empty)} is not a valid interface name: use 1-15 letters, digits, '-', '_' or '.'.");
        }

        if (Mtu is < Limits.MinMtu or > Limits.MaxMtu)
        {
            throw Invalid($"Mtu {Mtu} is out of range: use {Limits.MinMtu} to {Limits.MaxMtu} (1420 fits a 1500-byte path for IPv4 and IPv6).");
        }

        if (ListenEndPoint.Port is < 0 or > Limits.MaxPort)
        {
            throw Invalid($"ListenEndPoint port {ListenEndPoint.Port} is out of range: use 0 to {Limits.MaxPort}.");
        }

        if (ReceiveThreads is < 1 or > 64)
        {
            throw Invalid($"ReceiveThreads {ReceiveThreads} is out of range: use 1 to 64.");
        }

        if (TunQueues is < 1 or > 64)
        {
            throw Invalid($"TunQueues {TunQueues} is out of range: use 1 to 64.");
        }

        foreach (InterfaceAddress address in Addresses)
        {
            if (address.Address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            {
                throw Invalid($"Address {address} cannot be a tunnel address: use a unicast address such as 10.0.0.1/24.");
            }

            if (address.Problem() is { } problem)
            {
                throw Invalid(problem);
            }
        }

        if (Dns?.Problem() is { } dnsProblem)
        {
            throw Invalid($"Dns: {dnsProblem}");
        }

        var keys = new HashSet<PublicKey>();
        foreach (PeerOptions peer in Peers)
        {
            peer.Validate(PrivateKey);
            if (!keys.Add(peer.PublicKey))
            {
                throw Invalid($"Peer {peer.PublicKey} {PeerRules.ListedTwice}");
            }
        }
    }

    private static TunnelException Invalid(string message) => new(TunnelError.InvalidOptions, message);
}
