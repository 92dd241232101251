using System.Buffers.Binary;
using System.Net;
using Taltun.Netlink;

namespace Taltun.Tests.Netlink;

/// <summary>
/// The bytes of Taltun's rtnetlink requests, as rtnetlink(7) lays them out: nlmsghdr (16 bytes),
/// rtmsg (12) or ifaddrmsg (8), then type-length-value attributes padded to 4 bytes.
/// </summary>
public sealed class RouteMessageTests
{
    private const ushort RtmNewRoute = 24;
    private const ushort RtmDelRoute = 25;
    private const ushort RtmNewAddr = 20;
    private const ushort RtaDst = 1;
    private const ushort RtaOif = 4;
    private const ushort RtaGateway = 5;
    private const ushort IfaProto = 11;

    [Theory]
    [InlineData(RtmNewRoute)]
    [InlineData(RtmDelRoute)]
    public void ARouteRequestCarriesTaltunsProtocolSoTheKernelDeletesOnlyRoutesThatCarryIt(ushort type)
    {
        byte[] message = RouteNetlink.RouteMessage(type, 0, 7, IPNetwork.Parse("172.20.0.1/32"), IPAddress.Parse("10.98.0.1")).Finish(1).ToArray();

        Assert.Equal(type, BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(4)));
        ReadOnlySpan<byte> route = message.AsSpan(16, 12);
        Assert.Equal(2, route[0]); // AF_INET
        Assert.Equal(32, route[1]); // destination prefix length
        Assert.Equal(254, route[4]); // RT_TABLE_MAIN
        Assert.Equal(84, route[5]); // rtm_protocol: Taltun's own
        Assert.Equal(RouteNetlink.TaltunProtocol, route[5]);
        Assert.Equal(0, route[6]); // RT_SCOPE_UNIVERSE: through a gateway
        Assert.Equal(1, route[7]); // RTN_UNICAST

        Dictionary<ushort, byte[]> attributes = Attributes(message.AsSpan(16 + 12));
        Assert.Equal([172, 20, 0, 1], attributes[RtaDst]);
        Assert.Equal(7, BinaryPrimitives.ReadInt32LittleEndian(attributes[RtaOif]));
        Assert.Equal([10, 98, 0, 1], attributes[RtaGateway]);
    }

    [Fact]
    public void AnAddressTaltunAddsCarriesItsProtocolToo()
    {
        byte[] message = RouteNetlink.AddressMessage(RtmNewAddr, 0, 3, IPNetwork.Parse("10.0.0.0/24"), IPAddress.Parse("10.0.0.2")).Finish(1).ToArray();

        Assert.Equal(24, message[17]); // ifa_prefixlen
        Assert.Equal([RouteNetlink.TaltunProtocol], Attributes(message.AsSpan(16 + 8))[IfaProto]);
    }

    private static Dictionary<ushort, byte[]> Attributes(ReadOnlySpan<byte> data)
    {
        var attributes = new Dictionary<ushort, byte[]>();
        while (data.Length >= 4)
        {
            int length = BinaryPrimitives.ReadUInt16LittleEndian(data);
            attributes[BinaryPrimitives.ReadUInt16LittleEndian(data[2..])] = data[4..length].ToArray();
            data = data[Math.Min(data.Length, (length + 3) & ~3)..];
        }

        return attributes;
    }
}
