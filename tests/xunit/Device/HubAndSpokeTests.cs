using Taltun.Protocol;
using Taltun.Tests.Interop;
using Xunit;

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

    [Fact]
    public void TcpStreamsBothWaysAndBetweenSpokes()
    {
        using var rig = new HubAndSpokes();
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
}
