using System.Net;
using Taltun.Configuration;
using Taltun.Crypto;
using Taltun.Routing;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Device;

/// <summary>One side of a test tunnel: a namespace, a key and the running engine inside that namespace.</summary>
internal sealed class TunnelHost : IDisposable
{
    public TunnelHost(string role, string tunnelAddress, string namespacePrefix = "taltun")
    {
        Namespace = new NetworkNamespace($"{namespacePrefix}-{role}");
        TunnelAddress = tunnelAddress;
    }

    public NetworkNamespace Namespace { get; }

    public PrivateKey Key { get; } = PrivateKey.Generate();

    /// <summary>The virtual IP without prefix.</summary>
    public string TunnelAddress { get; }

    public Taltun.Device.Tunnel? Tunnel { get; private set; }

    /// <summary>The options of the tunnel this host started last, to start it again.</summary>
    public TunnelOptions? LastOptions { get; private set; }

    /// <summary>TUN queues for tunnels this host starts.</summary>
    public int TunQueues { get; set; } = 1;

    /// <summary>UDP sockets for tunnels this host starts: with one TUN queue, a second packet loop that only receives.</summary>
    public int ReceiveThreads { get; set; } = 2;

    /// <summary>Segmentation offloads for tunnels this host starts (the default), or the plain path.</summary>
    public bool UseOffloads { get; set; } = true;

    /// <summary>keep_warm for tunnels this host starts (off by default, as in the engine).</summary>
    public bool KeepWarm { get; set; }

    /// <summary>What tunnels this host starts relay between their peers (all, as a hub, by default; null: not a hub).</summary>
    public RelayPolicy? Relay { get; set; } = RelayPolicy.All;

    public Taltun.Device.Tunnel Start(IReadOnlyList<PeerOptions> peers, int port = 9000, IReadOnlyList<IPNetwork>? routes = null, string name = "tun0", bool clampMss = true, IReadOnlyList<InterfaceAddress>? addresses = null)
    {
        TunnelOptions options = Options(peers, port, routes, name) with { ClampMss = clampMss, TunQueues = TunQueues, UseOffloads = UseOffloads, Relay = Relay, KeepWarm = KeepWarm };
        if (addresses is not null)
        {
            options = options with { Addresses = addresses };
        }

        LastOptions = options;
        Tunnel = Namespace.Invoke(() => Taltun.Device.Tunnel.Start(options));
        return Tunnel;
    }

    public TunnelOptions Options(IReadOnlyList<PeerOptions> peers, int port = 9000, IReadOnlyList<IPNetwork>? routes = null, string name = "tun0") => new()
    {
        InterfaceName = name,
        PrivateKey = Key,
        ListenEndPoint = new IPEndPoint(IPAddress.Any, port),
        Addresses = [new InterfaceAddress(IPAddress.Parse(TunnelAddress), 24)],
        Routes = routes ?? [],
        Peers = peers,
        ReceiveThreads = ReceiveThreads,
    };

    public PeerOptions AsPeer(string? endpoint, params IEnumerable<string> allowedIps) => new()
    {
        PublicKey = Key.PublicKey,
        Endpoint = endpoint is null ? null : IPEndPoint.Parse(endpoint),
        AllowedIps = [.. allowedIps.Select(IPNetwork.Parse)],
        PersistentKeepalive = endpoint is null ? TimeSpan.Zero : TimeSpan.FromSeconds(25),
    };

    public void StopTunnel()
    {
        Tunnel?.Stop();
        Tunnel = null;
    }

    /// <summary>Pings <paramref name="address"/> from this namespace; returns how many of <paramref name="count"/> echoes came back.</summary>
    public int Ping(string address, int count = 3)
    {
        (_, string output) = Namespace.TryExec("ping", "-c", count.ToString(), "-i", "0.2", "-W", "2", address);
        System.Text.RegularExpressions.Match match = System.Text.RegularExpressions.Regex.Match(output, @"(\d+) received");
        return match.Success ? int.Parse(match.Groups[1].Value) : 0;
    }

    public void Dispose()
    {
        StopTunnel();
        Namespace.Dispose();
        Key.Dispose();
    }
}
