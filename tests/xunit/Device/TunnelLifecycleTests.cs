using System.Net;
using System.Net.Sockets;
using Taltun.Configuration;
using Taltun.Device;
using Taltun.Foundation;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Device;

[Collection(InteropCollection.Name)]
public sealed class TunnelLifecycleTests
{
    [Fact]
    public void RoutesAddressAndInterfaceExistWhileRunningAndAreGoneAfterStop()
    {
        using var host = new TunnelHost("routes", "10.0.0.1");
        using var peerKey = Taltun.Crypto.PrivateKey.Generate();
        IPNetwork[] routes = [IPNetwork.Parse("192.168.50.0/24"), IPNetwork.Parse("0.0.0.0/1"), IPNetwork.Parse("128.0.0.0/1")];
        PeerOptions peer = new() { PublicKey = peerKey.PublicKey, AllowedIps = [IPNetwork.Parse("10.0.0.2/32"), IPNetwork.Parse("172.16.5.0/24")] };
        host.Namespace.Exec("ip", "address", "add", "192.168.1.10/24", "dev", "lo");
        Tunnel tunnel = host.Start([peer], routes: routes);

        string addresses = host.Namespace.Exec("ip", "-o", "address", "show", "dev", "tun0");
        string table = host.Namespace.Exec("ip", "route", "show");
        Assert.Contains("inet 10.0.0.1/24", addresses);
        Assert.Contains("mtu 1420", host.Namespace.Exec("ip", "link", "show", "tun0"));
        Assert.Contains("10.0.0.0/24 dev tun0", table);
        Assert.Contains("192.168.50.0/24 dev tun0", table);
        Assert.Contains("0.0.0.0/1 dev tun0", table);
        Assert.Contains("128.0.0.0/1 dev tun0", table);
        Assert.Contains("172.16.5.0/24 dev tun0", table);

        // Full tunnel keeps the LAN: the more specific on-link route still wins.
        Assert.Contains("dev lo", host.Namespace.Exec("ip", "route", "get", "192.168.1.20"));
        Assert.Contains("dev tun0", host.Namespace.Exec("ip", "route", "get", "8.8.8.8"));

        // A peer removed live takes its route with it.
        Assert.True(tunnel.RemovePeer(peerKey.PublicKey));
        Assert.DoesNotContain("172.16.5.0/24", host.Namespace.Exec("ip", "route", "show"));

        host.StopTunnel();
        Assert.DoesNotContain("tun0", host.Namespace.Exec("ip", "route", "show"));
        Assert.DoesNotContain("tun0", host.Namespace.Exec("ip", "link", "show"));
        Assert.DoesNotContain("10.0.0.1", host.Namespace.Exec("ip", "address", "show"));
    }

    [Fact]
    public void AFullTunnelKeepsTheHubsEndpointOnItsOldPath()
    {
        // The hub's public address (172.20.0.1) is not on the client's LAN: the client reaches it
        // through its default gateway, which the full tunnel's /1 routes would otherwise capture.
        using var hub = new TunnelHost("fthub", "10.0.0.1");
        using var client = new TunnelHost("ftcli", "10.0.0.2");
        NetworkNamespace.Connect(hub.Namespace, "10.98.0.1/30", client.Namespace, "10.98.0.2/30");
        hub.Namespace.Exec("ip", "address", "add", "172.20.0.1/32", "dev", "lo");
        client.Namespace.Exec("ip", "route", "add", "default", "via", "10.98.0.1");
        hub.Start([client.AsPeer(null, "10.0.0.2/32")]);
        IPNetwork[] fullTunnel = [IPNetwork.Parse("0.0.0.0/1"), IPNetwork.Parse("128.0.0.0/1")];
        client.Start([hub.AsPeer("172.20.0.1:9000", ["10.0.0.0/24", .. fullTunnel.Select(r => r.ToString())])], routes: fullTunnel);

        Assert.Equal(3, client.Ping("10.0.0.1"));
        Assert.Contains("via 10.98.0.1", client.Namespace.Exec("ip", "route", "get", "172.20.0.1"));
        Assert.Contains("dev tun0", client.Namespace.Exec("ip", "route", "get", "8.8.8.8"));
        Assert.Contains("Route 172.20.0.1/32 via 10.98.0.1", string.Join('\n', client.Tunnel!.Log.Entries.Select(e => e.Message)));

        // A second hub added live, beyond the LAN too, keeps its path as well.
        hub.Namespace.Exec("ip", "address", "add", "172.20.0.2/32", "dev", "lo");
        using var second = Taltun.Crypto.PrivateKey.Generate();
        client.Tunnel!.AddPeer(new PeerOptions { PublicKey = second.PublicKey, Endpoint = IPEndPoint.Parse("172.20.0.2:9000"), AllowedIps = [IPNetwork.Parse("10.0.1.0/24")] });
        Assert.Contains("via 10.98.0.1", client.Namespace.Exec("ip", "route", "get", "172.20.0.2"));

        client.StopTunnel();
        string table = client.Namespace.Exec("ip", "route", "show");
        Assert.DoesNotContain("172.20.0.1", table);
        Assert.DoesNotContain("172.20.0.2", table);
        Assert.Contains("default via 10.98.0.1", table);
    }

    [Fact]
    public void IPv6AddressesAndRoutesAreAddedAndRemoved()
    {
        using var host = new TunnelHost("v6", "10.0.0.1");
        TunnelOptions options = host.Options([], routes: [IPNetwork.Parse("fd00:50::/64")]) with
        {
            Addresses = [new InterfaceAddress(IPAddress.Parse("10.0.0.1"), 24), new InterfaceAddress(IPAddress.Parse("fd00:99::1"), 64)],
        };
        Tunnel tunnel = host.Namespace.Invoke(() => Tunnel.Start(options));
        try
        {
            Assert.Contains("fd00:99::1/64", host.Namespace.Exec("ip", "-6", "address", "show", "dev", "tun0"));
            Assert.Contains("fd00:50::/64 dev tun0", host.Namespace.Exec("ip", "-6", "route", "show"));
        }
        finally
        {
            tunnel.Stop();
        }

        Assert.DoesNotContain("fd00:50::", host.Namespace.Exec("ip", "-6", "route", "show"));
        Assert.DoesNotContain("tun0", host.Namespace.Exec("ip", "link", "show"));
    }

    [Fact]
    public void RestartedSpokeTalksAgainWithoutTouchingTheHub()
    {
        using var rig = new HubAndSpokes(spokes: 1);
        Assert.Equal(3, rig.Spokes[0].Ping("10.0.0.1"));

        rig.Spokes[0].StopTunnel();
        Assert.Equal(0, rig.Spokes[0].Ping("10.0.0.1", count: 1));
        rig.StartSpoke(0);

        Assert.Equal(3, rig.Spokes[0].Ping("10.0.0.1"));
        Assert.Equal(3, rig.Hub.Ping("10.0.0.2"));
    }

    [Fact]
    public void RestartedHubIsReachedAgainByItsSpokes()
    {
        using var rig = new HubAndSpokes(spokes: 1);
        Assert.Equal(3, rig.Spokes[0].Ping("10.0.0.1"));
        TunnelOptions hubOptions = rig.Hub.LastOptions!;

        rig.Hub.StopTunnel();
        rig.Hub.Namespace.Invoke(() => Tunnel.Start(hubOptions)).Dispose();
        Tunnel hub = rig.Hub.Namespace.Invoke(() => Tunnel.Start(hubOptions));
        try
        {
            // The spoke still holds a session the new hub cannot know; its handshake retry (or
            // the hub's silence) brings a new one — at most a few seconds, as WireGuard.
            Assert.True(PingWithin(rig.Spokes[0], "10.0.0.1", TimeSpan.FromSeconds(30)), "the spoke never reached the restarted hub");
        }
        finally
        {
            hub.Stop();
        }
    }

    [Fact]
    public void StartingAndStoppingTwentyTimesLeavesNoDescriptorThreadOrInterface()
    {
        using var host = new TunnelHost("cycle", "10.0.0.1");
        using var peerKey = Taltun.Crypto.PrivateKey.Generate();
        TunnelOptions options = host.Options([new PeerOptions { PublicKey = peerKey.PublicKey, AllowedIps = [IPNetwork.Parse("10.0.0.2/32")] }]);
        (int tuns, int sockets) before = Descriptors();

        for (int i = 0; i < 20; i++)
        {
            Tunnel tunnel = host.Namespace.Invoke(() => Tunnel.Start(options));
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            tunnel.Stop();
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"stop took {stopwatch.Elapsed}");
        }

        Assert.Equal(before, Descriptors());
        Assert.Empty(TaltunThreads());
        Assert.DoesNotContain("tun0", host.Namespace.Exec("ip", "link", "show"));
    }

    [Fact]
    public void InvalidOptionsAreRejectedBeforeTouchingTheSystem()
    {
        using var host = new TunnelHost("invalid", "10.0.0.1");
        var error = Assert.Throws<TunnelException>(() => host.Namespace.Invoke(() => Tunnel.Start(host.Options([]) with { Mtu = 100 })));
        Assert.Equal(TunnelError.InvalidOptions, error.Error);
        Assert.Contains("Mtu 100", error.Message);

        error = Assert.Throws<TunnelException>(() => host.Namespace.Invoke(() => Tunnel.Start(host.Options([]) with { InterfaceName = "a/b" })));
        Assert.Equal(TunnelError.InvalidOptions, error.Error);

        error = Assert.Throws<TunnelException>(() => host.Namespace.Invoke(() => Tunnel.Start(host.Options([host.AsPeer(null, "10.0.0.9/32")]))));
        Assert.Contains("own public key", error.Message);
        Assert.DoesNotContain(host.Key.ToBase64(), error.Message);
        Assert.Equal(string.Empty, host.Namespace.Exec("ip", "-o", "link", "show", "type", "tun"));
    }

    [Fact]
    public void TakenInterfaceNameIsReportedAndNothingIsLeftBehind()
    {
        using var host = new TunnelHost("taken", "10.0.0.1");
        host.Namespace.Exec("ip", "link", "add", "tun0", "type", "veth", "peer", "name", "tun0peer");
        AssertFailsCleanly(host, host.Options([]), TunnelError.InterfaceExists, "tun0");
        Assert.Contains("veth", host.Namespace.Exec("ip", "-d", "link", "show", "tun0"));
    }

    [Fact]
    public void UdpPortInUseIsReportedAndNothingIsLeftBehind()
    {
        using var host = new TunnelHost("port", "10.0.0.1");
        using Socket squatter = host.Namespace.OpenUdpSocket();
        squatter.Bind(new IPEndPoint(IPAddress.Any, 9000));
        AssertFailsCleanly(host, host.Options([]), TunnelError.PortInUse, "9000");
    }

    [Fact]
    public void ListenAddressNotOnTheHostIsReportedAndNothingIsLeftBehind()
    {
        using var host = new TunnelHost("addr", "10.0.0.1");
        TunnelOptions options = host.Options([]) with { ListenEndPoint = new IPEndPoint(IPAddress.Parse("10.250.0.1"), 9000) };
        AssertFailsCleanly(host, options, TunnelError.AddressUnavailable, "10.250.0.1");
    }

    [Fact]
    public void RefusedRouteIsReportedAndEverythingAddedIsRolledBack()
    {
        using var host = new TunnelHost("route", "10.0.0.1");
        host.Namespace.Exec("ip", "route", "add", "blackhole", "192.168.50.0/24");
        TunnelOptions options = host.Options([], routes: [IPNetwork.Parse("172.16.0.0/16"), IPNetwork.Parse("192.168.50.0/24")]);
        TunnelException error = AssertFailsCleanly(host, options, TunnelError.Netlink, "192.168.50.0/24");
        Assert.Contains("EEXIST", error.Message);
        Assert.DoesNotContain("172.16.0.0", host.Namespace.Exec("ip", "route", "show"));
        Assert.Contains("blackhole 192.168.50.0/24", host.Namespace.Exec("ip", "route", "show"));
    }

    [Fact]
    public void MissingTunDeviceIsReported()
    {
        using var host = new TunnelHost("notun", "10.0.0.1");
        TunnelOptions options = host.Options([]) with { TunDevicePath = "/nonexistent/tun" };
        TunnelException error = AssertFailsCleanly(host, options, TunnelError.TunUnavailable, "modprobe tun");
        Assert.Contains("ENOENT", error.Message);
    }

    [Fact]
    public void WithoutCapNetAdminTheCauseIsNamed()
    {
        using var host = new TunnelHost("nocap", "10.0.0.1");
        TunnelException error = Assert.Throws<TunnelException>(() => host.Namespace.Invoke(() =>
        {
            Capabilities.DropNetAdminFromThisThread();
            return Tunnel.Start(host.Options([]));
        }));
        Assert.Equal(TunnelError.PermissionDenied, error.Error);
        Assert.Contains("CAP_NET_ADMIN", error.Message);
        Assert.Equal(string.Empty, host.Namespace.Exec("ip", "-o", "link", "show", "type", "tun"));
    }

    private static TunnelException AssertFailsCleanly(TunnelHost host, TunnelOptions options, TunnelError expected, string named)
    {
        (int tuns, int sockets) before = Descriptors();
        TunnelException error = Assert.Throws<TunnelException>(() => host.Namespace.Invoke(() => Tunnel.Start(options)));
        Assert.Equal(expected, error.Error);
        Assert.Contains(named, error.Message);
        Assert.Equal(string.Empty, host.Namespace.Exec("ip", "-o", "link", "show", "type", "tun"));
        Assert.DoesNotContain("10.0.0.1", host.Namespace.Exec("ip", "address", "show"));
        Assert.Equal(before, Descriptors());
        Assert.Empty(TaltunThreads());
        return error;
    }

    private static bool PingWithin(TunnelHost host, string address, TimeSpan limit)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < limit)
        {
            if (host.Ping(address, count: 1) == 1)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>This process's open TUN devices and sockets.</summary>
    private static (int Tuns, int Sockets) Descriptors()
    {
        int tuns = 0;
        int sockets = 0;
        foreach (string fd in Directory.GetFiles("/proc/self/fd"))
        {
            string? target = new FileInfo(fd).LinkTarget;
            tuns += target == "/dev/net/tun" ? 1 : 0;
            sockets += target?.StartsWith("socket:", StringComparison.Ordinal) == true ? 1 : 0;
        }

        return (tuns, sockets);
    }

    /// <summary>Threads of this process the engine named ("taltun/…", cut to 15 characters by the kernel).</summary>
    private static List<string> TaltunThreads() =>
        [.. Directory.GetDirectories("/proc/self/task")
            .Select(task => File.Exists($"{task}/comm") ? File.ReadAllText($"{task}/comm").Trim() : string.Empty)
            .Where(name => name.StartsWith("taltun/", StringComparison.Ordinal))];
}
