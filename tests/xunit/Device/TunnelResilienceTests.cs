using System.Net;
using System.Net.Sockets;
using Taltun.Protocol;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Device;

[Collection(InteropCollection.Name)]
public sealed class TunnelResilienceTests
{
    [Fact]
    public void HubFollowsASpokeThatComesBackFromAnotherPort()
    {
        using var rig = new HubAndSpokes(spokes: 1);
        Assert.Equal(3, rig.Spokes[0].Ping("10.0.0.1"));
        Assert.Equal(9000, rig.Hub.Tunnel!.GetStatus().Peers[0].Endpoint!.Port);

        rig.Spokes[0].StopTunnel();
        rig.StartSpoke(0, port: 9100);

        Assert.Equal(3, rig.Spokes[0].Ping("10.0.0.1"));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.99.1.2"), 9100), rig.Hub.Tunnel!.GetStatus().Peers[0].Endpoint);
        Assert.Equal(3, rig.Hub.Ping("10.0.0.2"));
    }

    [Fact]
    public void HubFollowsANatRebindingWithinASession()
    {
        using var rig = new HubAndSpokes(spokes: 1);
        Assert.Equal(3, rig.Spokes[0].Ping("10.0.0.1"));
        DateTimeOffset? handshake = rig.Hub.Tunnel!.GetStatus().Peers[0].LatestHandshake;

        // The spoke's NAT now maps it to another source port: same session, new address.
        rig.Spokes[0].Namespace.Exec("nft", "add table ip rebind");
        rig.Spokes[0].Namespace.Exec("nft", "add chain ip rebind post { type nat hook postrouting priority 100; }");
        rig.Spokes[0].Namespace.Exec("nft", "add rule ip rebind post udp dport 9000 snat to :9555");

        Assert.Equal(3, rig.Spokes[0].Ping("10.0.0.1"));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.99.1.2"), 9555), rig.Hub.Tunnel!.GetStatus().Peers[0].Endpoint);
        Assert.Equal(handshake, rig.Hub.Tunnel!.GetStatus().Peers[0].LatestHandshake);
        Assert.Equal(3, rig.Hub.Ping("10.0.0.2"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TcpThroughAFullTunnelNegotiatesAnMssThatFits(bool clamp)
    {
        using var rig = new HubAndSpokes(spokes: 1, clampMss: clamp, fullTunnel: true);
        Assert.Equal(3, rig.Spokes[0].Ping("10.0.0.1"));

        // Both hosts believe in 1500-byte paths (as hosts routed through a tunnel gateway do): the
        // spoke advertises MSS 1460, and the hub would send segments that do not fit the tunnel.
        rig.Spokes[0].Namespace.Exec("ip", "route", "add", "10.0.0.1/32", "dev", "tun0", "advmss", "1460");
        rig.Hub.Namespace.Exec("ip", "route", "add", "10.0.0.2/32", "dev", "tun0", "mtu", "1500", "advmss", "1460");
        var server = rig.Hub.Namespace.Start("python3", "-c",
            "import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('10.0.0.1', 7000)); s.listen(); "
            + "c, _ = s.accept(); print(c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG), flush=True)");
        Thread.Sleep(300);
        rig.Spokes[0].Namespace.Exec("python3", "-c", "import socket, time; c = socket.create_connection(('10.0.0.1', 7000), timeout=5); time.sleep(0.2); c.close()");
        Assert.True(server.WaitForExit(5000));
        int mss = int.Parse(server.StandardOutput.ReadToEnd().Trim());

        // TCP_MAXSEG is the segment size less the 12 bytes of timestamps.
        if (clamp)
        {
            Assert.InRange(mss, 1000, 1380);
        }
        else
        {
            Assert.True(mss > 1380, $"without clamping the hub would send {mss}-byte segments");
        }
    }

    [Fact]
    public void TcpCompletesATransferWithTenPercentLoss()
    {
        using var rig = new HubAndSpokes(spokes: 1);
        Assert.Equal(3, rig.Spokes[0].Ping("10.0.0.1"));
        rig.Hub.Namespace.Exec("nft", "add table inet loss");
        rig.Hub.Namespace.Exec("nft", "add chain inet loss input { type filter hook input priority 0; }");
        rig.Hub.Namespace.Exec("nft", "add rule inet loss input udp dport 9000 numgen random mod 10 0 counter drop");

        double bitsPerSecond = Iperf.Run(rig.Hub.Namespace, rig.Spokes[0].Namespace, "10.0.0.1", bytes: "16M");

        // The transfer completed although the rule really dropped a share of it. With UDP GSO the
        // rule sees trains of up to 64 KB, so count bytes: 10% of 16 MB is expected (about 25
        // trains); 2.5% is four standard deviations below that.
        Assert.True(bitsPerSecond > 0);
        var counter = System.Text.RegularExpressions.Regex.Match(rig.Hub.Namespace.Exec("nft", "list table inet loss"), @"counter packets (\d+) bytes (\d+)");
        Assert.True(long.Parse(counter.Groups[2].Value) > 400_000, $"{counter.Groups[1].Value} datagrams (or trains) and {counter.Groups[2].Value} bytes dropped");
    }

    [Fact]
    public void GarbageFloodIsDroppedAndCountedWhileTrafficFlows()
    {
        using var rig = new HubAndSpokes(spokes: 1);
        Assert.Equal(3, rig.Spokes[0].Ping("10.0.0.1"));
        long dropsBefore = rig.Hub.Tunnel!.GetStatus().Drops.Values.Sum();

        using Socket attacker = rig.Spokes[0].Namespace.OpenUdpSocket();
        var target = new IPEndPoint(IPAddress.Parse("10.99.1.1"), 9000);
        using var flooding = new CancellationTokenSource();
        long sent = 0;
        var flood = new Thread(() =>
        {
            var random = new Random(7);
            var datagram = new byte[1500];
            while (!flooding.IsCancellationRequested)
            {
                int length = random.Next(1, datagram.Length);
                random.NextBytes(datagram.AsSpan(0, length));

                // Mostly plausible headers: each message type, so every parser sees garbage.
                datagram[0] = (byte)random.Next(0, 6);
                datagram[1] = datagram[2] = datagram[3] = 0;
                length = datagram[0] == 1 ? 148 : datagram[0] == 2 ? 92 : datagram[0] == 3 ? 64 : length;
                attacker.SendTo(datagram.AsSpan(0, length), target);
                sent++;
            }
        });
        flood.Start();

        double bitsPerSecond;
        try
        {
            bitsPerSecond = Iperf.Run(rig.Hub.Namespace, rig.Spokes[0].Namespace, "10.0.0.1", seconds: 3);
        }
        finally
        {
            flooding.Cancel();
            flood.Join();
        }

        var status = rig.Hub.Tunnel!.GetStatus();
        long drops = status.Drops.Values.Sum() - dropsBefore;
        Assert.True(bitsPerSecond > 10e6, $"{bitsPerSecond / 1e6:F0} Mbit/s under flood");
        Assert.True(drops > sent / 2, $"{drops} drops counted for {sent} garbage datagrams");
        Assert.True(status.Drops.GetValueOrDefault(DropReason.BadMac1) > 0);
        Assert.Equal(3, rig.Spokes[0].Ping("10.0.0.1"));
    }

    [Fact]
    public void EmptyDatagramsAreCountedLikeEveryOtherDrop()
    {
        using var rig = new HubAndSpokes(spokes: 1);
        using Socket sender = rig.Spokes[0].Namespace.OpenUdpSocket();
        long before = rig.Hub.Tunnel!.GetStatus().Drops.GetValueOrDefault(DropReason.TooShort);

        for (int i = 0; i < 5; i++)
        {
            sender.SendTo([], new IPEndPoint(IPAddress.Parse("10.99.1.1"), 9000));
        }

        Assert.True(SpinWait.SpinUntil(() => rig.Hub.Tunnel.GetStatus().Drops.GetValueOrDefault(DropReason.TooShort) >= before + 5, TimeSpan.FromSeconds(5)));
        Assert.Equal(3, rig.Spokes[0].Ping("10.0.0.1"));
    }
}
