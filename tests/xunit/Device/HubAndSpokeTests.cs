using Taltun.Protocol;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Device;

[Collection(InteropCollection.Name)]
public sealed class HubAndSpokeTests
{
    [Fact]
    public void SpokesAndHubPingEachOtherBothWays()
    {
        using var rig = new HubAndSpokes();
        Assert.Equal(3, rig.Spokes[0].Ping("10.0.0.1"));
        Assert.Equal(3, rig.Spokes[1].Ping("10.0.0.1"));
        Assert.Equal(3, rig.Hub.Ping("10.0.0.2"));
        Assert.Equal(3, rig.Hub.Ping("10.0.0.3"));

        var status = rig.Hub.Tunnel!.GetStatus();
        Assert.All(status.Peers, p =>
        {
            Assert.NotNull(p.LatestHandshake);
            Assert.NotNull(p.Endpoint);
            Assert.True(p.RxPackets >= 6 && p.TxPackets >= 6, $"rx {p.RxPackets} tx {p.TxPackets}");
        });
    }

    [Fact]
    public void SpokeReachesSpokeThroughTheHubWithForwardingOff()
    {
        using var rig = new HubAndSpokes();
        Assert.Equal("0", rig.Hub.Namespace.Exec("sysctl", "-n", "net.ipv4.ip_forward").Trim());

        Assert.Equal(3, rig.Spokes[0].Ping("10.0.0.3"));
        Assert.Equal(3, rig.Spokes[1].Ping("10.0.0.2"));

        // The hub relayed: it received and sent for both spokes, and nothing reached its kernel to forward.
        var peers = rig.Hub.Tunnel!.GetStatus().Peers;
        Assert.All(peers, p => Assert.True(p.RxPackets >= 6 && p.TxPackets >= 6));
        Assert.Equal(0, rig.Hub.Tunnel!.GetStatus().Drops.GetValueOrDefault(DropReason.TunWriteFailed));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TcpStreamsBothWaysAndBetweenSpokes(bool offloads)
    {
        using var rig = new HubAndSpokes(offloads: offloads);
        string log = string.Join('\n', rig.Hub.Tunnel!.Log.Entries.Select(e => e.Message));
        Assert.Contains(offloads ? "UDP GSO on, GRO on" : "Offloads are off", log);
        double up = Iperf.Run(rig.Hub.Namespace, rig.Spokes[0].Namespace, "10.0.0.1");
        double down = Iperf.Run(rig.Hub.Namespace, rig.Spokes[0].Namespace, "10.0.0.1", reverse: true);
        double across = Iperf.Run(rig.Spokes[1].Namespace, rig.Spokes[0].Namespace, "10.0.0.3");

        Assert.True(up > 10e6, $"spoke → hub {up / 1e6:F0} Mbit/s");
        Assert.True(down > 10e6, $"hub → spoke {down / 1e6:F0} Mbit/s");
        Assert.True(across > 10e6, $"spoke → spoke {across / 1e6:F0} Mbit/s");
    }

    [Fact]
    public void MultiQueueTunnelsCarryParallelStreamsBothWays()
    {
        using var rig = new HubAndSpokes(spokes: 1, tunQueues: 2);
        Assert.Contains("multi_queue", rig.Hub.Namespace.Exec("ip", "-d", "link", "show", "tun0"));

        double up = Iperf.Run(rig.Hub.Namespace, rig.Spokes[0].Namespace, "10.0.0.1", streams: 4);
        double down = Iperf.Run(rig.Hub.Namespace, rig.Spokes[0].Namespace, "10.0.0.1", reverse: true, streams: 4);

        Assert.True(up > 10e6, $"4 streams spoke → hub {up / 1e6:F0} Mbit/s");
        Assert.True(down > 10e6, $"4 streams hub → spoke {down / 1e6:F0} Mbit/s");
    }

    [Theory]
    [InlineData(2, 1)] // the second packet loop reads a TUN queue and has no socket
    [InlineData(1, 2)] // the second packet loop receives and writes through the first loop's queue
    public void PacketLoopsWithOnlyAQueueOrOnlyASocketCarryTrafficBothWays(int tunQueues, int receiveThreads)
    {
        using var rig = new HubAndSpokes(spokes: 2, tunQueues: tunQueues, receiveThreads: receiveThreads);
        Assert.Equal(3, rig.Spokes[0].Ping("10.0.0.1"));
        Assert.Equal(3, rig.Hub.Ping("10.0.0.3"));
        Assert.Equal(3, rig.Spokes[1].Ping("10.0.0.2"));

        double up = Iperf.Run(rig.Hub.Namespace, rig.Spokes[0].Namespace, "10.0.0.1", streams: 4);
        double down = Iperf.Run(rig.Hub.Namespace, rig.Spokes[1].Namespace, "10.0.0.1", reverse: true, streams: 4);
        Assert.True(up > 10e6, $"4 streams spoke → hub {up / 1e6:F0} Mbit/s");
        Assert.True(down > 10e6, $"4 streams hub → spoke {down / 1e6:F0} Mbit/s");
    }

    [Fact]
    public void IPv6EndpointsAndIPv6InsideTheTunnelWork()
    {
        using var hub = new TunnelHost("v6hub", "10.0.0.1");
        using var spoke = new TunnelHost("v6spoke", "10.0.0.2");
        NetworkNamespace.Connect(hub.Namespace, "10.98.0.1/24", spoke.Namespace, "10.98.0.2/24");
        string hubLink = hub.Namespace.Exec("ip", "-o", "link", "show", "type", "veth").Split(':')[1].Trim().Split('@')[0];
        string spokeLink = spoke.Namespace.Exec("ip", "-o", "link", "show", "type", "veth").Split(':')[1].Trim().Split('@')[0];
        hub.Namespace.Exec("ip", "-6", "address", "add", "fd00:98::1/64", "dev", hubLink, "nodad");
        spoke.Namespace.Exec("ip", "-6", "address", "add", "fd00:98::2/64", "dev", spokeLink, "nodad");

        Taltun.Configuration.InterfaceAddress[] Addresses(string v4, string v6) =>
            [new(System.Net.IPAddress.Parse(v4), 24), new(System.Net.IPAddress.Parse(v6), 64)];
        hub.Start([spoke.AsPeer(null, "10.0.0.2/32", "fd00:77::2/128")], addresses: Addresses("10.0.0.1", "fd00:77::1"));
        spoke.Start([hub.AsPeer("[fd00:98::1]:9000", "10.0.0.0/24", "fd00:77::/64")], addresses: Addresses("10.0.0.2", "fd00:77::2"));

        Assert.Equal(3, spoke.Ping("10.0.0.1"));
        Assert.Equal(3, spoke.Ping("fd00:77::1"));
        Assert.Equal(System.Net.IPAddress.Parse("fd00:98::2"), hub.Tunnel!.GetStatus().Peers[0].Endpoint!.Address);
        double bitsPerSecond = Iperf.Run(hub.Namespace, spoke.Namespace, "fd00:77::1");
        Assert.True(bitsPerSecond > 10e6, $"TCP over IPv6 inside IPv6: {bitsPerSecond / 1e6:F0} Mbit/s");
    }
}
