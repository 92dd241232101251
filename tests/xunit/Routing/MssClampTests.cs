using System.Buffers.Binary;
using Taltun.Routing;
using static Taltun.Tests.Offload.TestPackets;

namespace Taltun.Tests.Routing;

public sealed class MssClampTests
{
    // MSS 1460, SACK permitted, timestamps, NOP, window scale: what Linux puts in a SYN.
    private static byte[] SynOptions(ushort mss) =>
        [2, 4, (byte)(mss >> 8), (byte)mss, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];

    [Theory]
    [InlineData(4, Syn, 1380)]
    [InlineData(4, Syn | Ack, 1380)]
    [InlineData(6, Syn, 1360)]
    [InlineData(6, Syn | Ack, 1360)]
    public void ASynAdvertisingTooMuchIsClampedWithAValidChecksum(int version, byte flags, int expected)
    {
        byte[] packet = Tcp(version, 1, flags, [], options: SynOptions(1460));

        Assert.True(MssClamp.Apply(packet, mtu: 1420));

        int tcp = version == 4 ? 20 : 40;
        Assert.Equal(expected, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(tcp + 22)));
        Assert.True(ChecksumsValid(packet));
        Assert.Equal(SynOptions(1460)[4..], packet[(tcp + 24)..]);
    }

    [Fact]
    public void OnlySynsAdvertisingMoreThanFitsChange()
    {
        byte[] small = Tcp(4, 1, Syn, [], options: SynOptions(1200));
        byte[] data = Tcp(4, 1, Ack, Payload(100));
        byte[] noMss = Tcp(4, 1, Syn, [], options: [1, 1, 4, 2]);
        byte[] udp = Udp(4, Payload(100));
        foreach (byte[] packet in new[] { small, data, noMss, udp })
        {
            byte[] before = (byte[])packet.Clone();
            Assert.False(MssClamp.Apply(packet, 1420));
            Assert.Equal(before, packet);
        }
    }

    [Fact]
    public void MalformedOptionsAreLeftAlone()
    {
        byte[] packet = Tcp(4, 1, Syn, [], options: [3, 0, 0, 0, 2, 4, 5, 180]);
        byte[] before = (byte[])packet.Clone();
        Assert.False(MssClamp.Apply(packet, 1420));
        Assert.Equal(before, packet);
        Assert.False(MssClamp.Apply(packet.AsSpan(0, 30), 1420));
    }

    [Fact]
    public void TheLimitFollowsTheMtu()
    {
        Assert.Equal(1240, MssClamp.MaxSegment(1280, 4));
        Assert.Equal(1220, MssClamp.MaxSegment(1280, 6));
        byte[] packet = Tcp(4, 1, Syn, [], options: SynOptions(8960));
        Assert.True(MssClamp.Apply(packet, 1280));
        Assert.Equal(1240, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(42)));
    }
}
