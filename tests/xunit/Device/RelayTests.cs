using System.Net;
using Taltun.Protocol;
using Taltun.Routing;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Device;

/// <summary>
/// The hub's relay in namespaces: every datagram crosses whatever its size, the policy decides
/// what crosses, a spoke cannot pass off another's address, and a loop through relays dies.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayTests
{
    [Fact]
    public void SmallUdpDatagramsBetweenSpokesCrossTheHubWithoutLoss()
    {
        using var rig = new HubAndSpokes();

        double loss = Iperf.UdpLoss(rig.Spokes[1].Namespace, rig.Spokes[0].Namespace, "10.0.0.3", length: 64, bitsPerSecond: "20M");

        Assert.True(loss < 1.0, $"64-byte datagrams at 20 Mbit/s, spoke to spoke through the hub: {loss}% lost");
    }

    [Fact]
    public void WithRelayNoneSpokesReachOnlyTheHub()
    {
        using var rig = new HubAndSpokes(relay: RelayPolicy.None);

        Assert.Equal(3, rig.Spokes[0].Ping("10.0.0.1"));
        Assert.Equal(0, rig.Spokes[0].Ping("10.0.0.3"));
        TunnelStatusCheck(rig.Hub, "none", DropReason.RelayRefused);
    }

    [Fact]
    public void WithRelayRulesOnlyWhatARuleAllowsCrossesAndItsRepliesComeBack()
    {
        var allowTcp5301 = new RelayRule([IPNetwork.Parse("10.0.0.2/32")], [IPNetwork.Parse("10.0.0.3/32")], RelayProtocol.Tcp, [new PortRange(5301, 5301)]);
        using var rig = new HubAndSpokes(relay: new RelayPolicy(RelayMode.Rules, [allowTcp5301]));

        double allowed = Iperf.Run(rig.Spokes[1].Namespace, rig.Spokes[0].Namespace, "10.0.0.3", seconds: 1, port: 5301);
        Assert.True(allowed > 1e6, $"TCP to the allowed port: {allowed / 1e6:F1} Mbit/s");
        Assert.Equal(0, rig.Spokes[0].Ping("10.0.0.3"));
        Assert.Equal(0, rig.Spokes[1].Ping("10.0.0.2"));
        Assert.Equal(3, rig.Spokes[0].Ping("10.0.0.1"));
        TunnelStatusCheck(rig.Hub, "rules (1)", DropReason.RelayRefused);
    }

    [Fact]
    public void ASpokeSendingWithAnotherSpokesAddressIsDropped()
    {
        using var rig = new HubAndSpokes();
        TunnelHost liar = rig.Spokes[0];

        // The first spoke claims the second's address and sends from it.
        liar.Namespace.Exec("ip", "address", "add", "10.0.0.3/32", "dev", "tun0");
        (_, string output) = liar.Namespace.TryExec("ping", "-c", "3", "-i", "0.2", "-W", "1", "-I", "10.0.0.3", "10.0.0.1");

        Assert.Contains("0 received", output);
        Assert.True(rig.Hub.Tunnel!.GetStatus().Peers.Single(p => p.PublicKey == liar.Key.PublicKey).Drops.GetValueOrDefault(DropReason.WrongSource) >= 3);
    }

    [Fact]
    public void APacketLoopingThroughThreeHubsDiesByItsTtl()
    {
        // Hubs A, B and C in a triangle; each thinks 10.9.0.0/24 is behind the next one, and each
        // accepts A's address as the source of the one before. A packet from A to 10.9.0.5 goes
        // round and round: without a TTL that goes down, forever.
        using var a = new TunnelHost("loop-a", "10.1.0.1");
        using var b = new TunnelHost("loop-b", "10.2.0.1");
        using var c = new TunnelHost("loop-c", "10.3.0.1");
        NetworkNamespace.Connect(a.Namespace, "10.97.1.1/24", b.Namespace, "10.97.1.2/24");
        NetworkNamespace.Connect(b.Namespace, "10.97.2.1/24", c.Namespace, "10.97.2.2/24");
        NetworkNamespace.Connect(c.Namespace, "10.97.3.1/24", a.Namespace, "10.97.3.2/24");
        // Each hub knows only the next one's endpoint, so each pair has one initiator: two hubs
        // initiating to each other at once would both end up responders, with no session to send
        // on until a retransmission (5 s), as in WireGuard. A's and B's first initiations reach
        // hubs not yet started and are sent again 5 s later; C's is answered at once.
        a.Start([b.AsPeer("10.97.1.2:9000", "10.9.0.0/24"), c.AsPeer(null, "10.1.0.1/32")]);
        b.Start([c.AsPeer("10.97.2.2:9000", "10.9.0.0/24"), a.AsPeer(null, "10.1.0.1/32")]);
        c.Start([a.AsPeer("10.97.3.2:9000", "10.9.0.0/24"), b.AsPeer(null, "10.1.0.1/32")]);

        TunnelHost[] hubs = [a, b, c];
        Assert.True(SpinWait.SpinUntil(() => hubs.All(h => h.Tunnel!.GetStatus().Peers.All(p => p.LatestHandshake is not null)), TimeSpan.FromSeconds(15)));
        Thread.Sleep(300);
        long sentBefore = Sent(hubs);

        a.Namespace.TryExec("ping", "-c", "1", "-W", "2", "-t", "64", "10.9.0.5");
        long sentAfter = Sent(hubs);
        Thread.Sleep(500);

        // A sent it once; 63 relays took the TTL from 64 down to 1; the next hub dropped it.
        Assert.Equal(1, hubs.Sum(h => h.Tunnel!.GetStatus().Drops.GetValueOrDefault(DropReason.RelayHopLimit)));
        Assert.Equal(sentAfter, Sent(hubs));
        Assert.InRange(sentAfter - sentBefore, 64, 66);
    }

    /// <summary>Packets the hubs have sent to their peers: A's own and every relay (with no traffic else, handshakes done).</summary>
    private static long Sent(TunnelHost[] hubs) => hubs.Sum(h => h.Tunnel!.GetStatus().Peers.Sum(p => p.TxPackets));

    private static void TunnelStatusCheck(TunnelHost hub, string relay, DropReason drop)
    {
        var status = hub.Tunnel!.GetStatus();
        Assert.Equal(relay, status.Relay);
        Assert.True(status.Drops.GetValueOrDefault(drop) > 0, $"no {drop} drop counted");
    }
}
