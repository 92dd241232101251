using System.Buffers.Binary;
using System.Net;
using Taltun.Routing;
using Taltun.Tests.Offload;

namespace Taltun.Tests.Routing;

public class RelayPolicyTests
{
    private static readonly byte[] TcpTo5201 = TestPackets.Tcp(4, 1, TestPackets.Ack, TestPackets.Payload(10));
    private static readonly byte[] UdpTo53 = TestPackets.Udp(4, TestPackets.Payload(10));

    [Fact]
    public void AllRelaysEverythingAndNoneNothing()
    {
        Assert.True(RelayPolicy.All.Allows(TcpTo5201));
        Assert.False(RelayPolicy.None.Allows(TcpTo5201));
    }

    [Fact]
    public void ARuleMatchesOnSourceDestinationProtocolAndPort()
    {
        var exact = Rules(Rule("10.0.0.2/32", "10.0.0.1/32", RelayProtocol.Tcp, new PortRange(5200, 5202)));
        Assert.True(exact.Allows(TcpTo5201));
        Assert.False(exact.Allows(UdpTo53));

        Assert.False(Rules(Rule("10.0.0.3/32", "10.0.0.1/32")).Allows(TcpTo5201));
        Assert.False(Rules(Rule("10.0.0.0/24", "10.0.1.0/24")).Allows(TcpTo5201));
        Assert.False(Rules(Rule("10.0.0.0/24", "10.0.0.0/24", RelayProtocol.Tcp, new PortRange(22, 22))).Allows(TcpTo5201));
        Assert.True(Rules(Rule("10.0.0.0/24", "10.0.0.0/24", RelayProtocol.Udp, new PortRange(53, 53))).Allows(UdpTo53));
        Assert.True(Rules(Rule("0.0.0.0/0", "0.0.0.0/0")).Allows(UdpTo53));
    }

    [Fact]
    public void AnyOfSeveralRulesMayAllowAPacket()
    {
        var policy = Rules(Rule("10.0.0.9/32", "10.0.0.1/32"), Rule("10.0.0.2/32", "10.0.0.1/32", RelayProtocol.Udp));
        Assert.True(policy.Allows(UdpTo53));
        Assert.False(policy.Allows(TcpTo5201));
    }

    [Fact]
    public void ARuleAdmitsRepliesButNotConnectionsOpenedTheOtherWay()
    {
        var policy = Rules(Rule("10.0.0.2/32", "10.0.0.1/32", RelayProtocol.Tcp, new PortRange(5201, 5201)));
        byte[] synAck = Reversed(TestPackets.Tcp(4, 1, TestPackets.Syn | TestPackets.Ack, []));
        byte[] syn = Reversed(TestPackets.Tcp(4, 1, TestPackets.Syn, []));

        Assert.True(policy.Allows(synAck));
        Assert.False(policy.Allows(syn));

        var pings = Rules(Rule("10.0.0.2/32", "10.0.0.1/32", RelayProtocol.Icmp));
        Assert.True(pings.Allows(Icmp(8, [10, 0, 0, 2], [10, 0, 0, 1])));
        Assert.True(pings.Allows(Icmp(0, [10, 0, 0, 1], [10, 0, 0, 2])));
        Assert.False(pings.Allows(Icmp(8, [10, 0, 0, 1], [10, 0, 0, 2])));
    }

    [Fact]
    public void IPv6RulesMatchIPv6PacketsOnly()
    {
        byte[] v6 = TestPackets.Udp(6, TestPackets.Payload(10));
        Assert.True(Rules(Rule("fd00::/64", "fd00::1/128", RelayProtocol.Udp, new PortRange(53, 53))).Allows(v6));
        Assert.False(Rules(Rule("0.0.0.0/0", "0.0.0.0/0")).Allows(v6));
        Assert.False(Rules(Rule("::/0", "::/0")).Allows(UdpTo53));
    }

    [Fact]
    public void ALaterFragmentCarriesNoPortsSoOnlyRulesWithoutPortsMatchIt()
    {
        byte[] fragment = (byte[])UdpTo53.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(6), 0x0010);

        Assert.False(Rules(Rule("10.0.0.0/24", "10.0.0.0/24", RelayProtocol.Udp, new PortRange(53, 53))).Allows(fragment));
        Assert.True(Rules(Rule("10.0.0.0/24", "10.0.0.0/24", RelayProtocol.Udp)).Allows(fragment));
    }

    [Fact]
    public void GarbageIsNeverRelayedUnderRules()
    {
        var anything = Rules(Rule("0.0.0.0/0", "0.0.0.0/0"));
        Assert.False(anything.Allows([]));
        Assert.False(anything.Allows(new byte[10]));
        byte[] badHeader = (byte[])UdpTo53.Clone();
        badHeader[0] = 0x42;
        Assert.False(anything.Allows(badHeader));
    }

    [Fact]
    public void TheHopLimitGoesDownWithAValidChecksumAndAPacketAtOneIsRefused()
    {
        byte[] v4 = (byte[])TcpTo5201.Clone();
        Assert.True(Taltun.Routing.IpPacket.TryDecrementHopLimit(v4));
        Assert.Equal(63, v4[8]);
        Assert.Equal(0, HeaderChecksum(v4));

        v4[8] = 1;
        byte[] before = (byte[])v4.Clone();
        Assert.False(Taltun.Routing.IpPacket.TryDecrementHopLimit(v4));
        Assert.Equal(before, v4);

        byte[] v6 = TestPackets.Udp(6, TestPackets.Payload(4));
        byte hops = v6[7];
        Assert.True(Taltun.Routing.IpPacket.TryDecrementHopLimit(v6));
        Assert.Equal(hops - 1, v6[7]);
        v6[7] = 1;
        Assert.False(Taltun.Routing.IpPacket.TryDecrementHopLimit(v6));
    }

    [Fact]
    public void AnIPv4PacketWhoseTotalLengthIsBelowAHeaderHasNoLength()
    {
        byte[] packet = (byte[])UdpTo53.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 19);
        Assert.Equal(0, Taltun.Routing.IpPacket.DeclaredLength(packet));
    }

    private static RelayPolicy Rules(params RelayRule[] rules) => new(RelayMode.Rules, rules);

    /// <summary>The same IPv4 TCP/UDP packet the other way: addresses and ports swapped (checksums do not matter here).</summary>
    private static byte[] Reversed(byte[] packet)
    {
        byte[] reversed = (byte[])packet.Clone();
        packet.AsSpan(12, 4).CopyTo(reversed.AsSpan(16));
        packet.AsSpan(16, 4).CopyTo(reversed.AsSpan(12));
        packet.AsSpan(20, 2).CopyTo(reversed.AsSpan(22));
        packet.AsSpan(22, 2).CopyTo(reversed.AsSpan(20));
        return reversed;
    }

    private static byte[] Icmp(byte type, byte[] source, byte[] destination)
    {
        byte[] packet = Taltun.Tests.Protocol.Packets.Ipv4(source, destination, 8);
        packet[9] = 1;
        packet[20] = type;
        return packet;
    }

    private static RelayRule Rule(string source, string destination, RelayProtocol protocol = RelayProtocol.Any, params PortRange[] ports) =>
        new([IPNetwork.Parse(source)], [IPNetwork.Parse(destination)], protocol, ports);

    /// <summary>The one's-complement sum over the IPv4 header: 0 when its checksum is right.</summary>
    private static int HeaderChecksum(byte[] packet)
    {
        uint sum = 0;
        for (int i = 0; i < 20; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(i));
        }

        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (int)(~sum & 0xffff);
    }
}
