using System.Buffers.Binary;
using Taltun.Offload;
using static Taltun.Tests.Offload.TestPackets;

namespace Taltun.Tests.Offload;

public sealed class SegmenterTests
{
    private const int Stride = 2048;
    private const int Offset = 16;

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    public void ATcpSuperPacketBecomesSegmentsWithTheirOwnHeadersAndChecksums(int version)
    {
        byte[] payload = Payload(2501);
        byte[] super = Tcp(version, sequence: 1_000_000, flags: Ack | Psh | Fin | Cwr, payload, id: 300);
        var header = new VirtioNetHeader
        {
            Flags = VirtioNetHeader.NeedsChecksum,
            GsoType = version == 4 ? VirtioNetHeader.GsoTcpV4 : VirtioNetHeader.GsoTcpV6,
            GsoSize = 1000,
            HeaderLength = (ushort)(super.Length - payload.Length),
        };

        (List<byte[]> segments, int count) = Split(super, header);

        Assert.Equal(3, count);
        Assert.Equal([1000, 1000, 501], segments.Select(s => s.Length - (version == 4 ? 40 : 60)));
        int headers = version == 4 ? 20 : 40;
        for (int i = 0; i < 3; i++)
        {
            byte[] segment = segments[i];
            Assert.True(ChecksumsValid(segment), $"segment {i} checksums");
            Assert.Equal(1_000_000u + (uint)(i * 1000), BinaryPrimitives.ReadUInt32BigEndian(segment.AsSpan(headers + 4)));
            Assert.Equal(payload.AsSpan(i * 1000, segment.Length - headers - 20).ToArray(), segment[(headers + 20)..]);
            byte flags = segment[headers + 13];
            Assert.Equal(i == 2, (flags & (Psh | Fin)) == (Psh | Fin));
            Assert.Equal(i == 0, (flags & Cwr) != 0);
            Assert.True((flags & Ack) != 0);
            if (version == 4)
            {
                Assert.Equal(segment.Length, BinaryPrimitives.ReadUInt16BigEndian(segment.AsSpan(2)));
                Assert.Equal(300 + i, BinaryPrimitives.ReadUInt16BigEndian(segment.AsSpan(4)));
            }
            else
            {
                Assert.Equal(segment.Length - 40, BinaryPrimitives.ReadUInt16BigEndian(segment.AsSpan(4)));
            }
        }
    }

    [Fact]
    public void TcpOptionsAreCopiedIntoEverySegment()
    {
        byte[] options = [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2];
        byte[] super = Tcp(4, 7, Ack, Payload(3000), options: options);
        var header = new VirtioNetHeader { Flags = VirtioNetHeader.NeedsChecksum, GsoType = VirtioNetHeader.GsoTcpV4, GsoSize = 1448 };

        (List<byte[]> segments, int count) = Split(super, header);

        Assert.Equal(3, count);
        Assert.All(segments, s => Assert.Equal(options, s.AsSpan(40, 12).ToArray()));
        Assert.All(segments, s => Assert.True(ChecksumsValid(s)));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    public void AUdpSuperPacketBecomesDatagrams(int version)
    {
        byte[] payload = Payload(2999);
        byte[] super = Udp(version, payload);
        var header = new VirtioNetHeader { Flags = VirtioNetHeader.NeedsChecksum, GsoType = VirtioNetHeader.GsoUdpL4, GsoSize = 1200 };

        (List<byte[]> segments, int count) = Split(super, header);

        Assert.Equal(3, count);
        int headers = version == 4 ? 28 : 48;
        Assert.Equal([1200, 1200, 599], segments.Select(s => s.Length - headers));
        Assert.All(segments, s => Assert.True(ChecksumsValid(s)));
        Assert.All(segments, s => Assert.Equal(s.Length - headers + 8, BinaryPrimitives.ReadUInt16BigEndian(s.AsSpan(headers - 8 + 4))));
        Assert.Equal(payload, segments.SelectMany(s => s[headers..]).ToArray());
    }

    [Fact]
    public void APacketWithAPartialChecksumIsCompleted()
    {
        byte[] packet = Tcp(4, 1, Ack | Psh, Payload(333));
        var partial = (byte[])packet.Clone();
        // As the kernel hands it over: the checksum field holds the pseudo-header sum only.
        int length = packet.Length - 20;
        ushort pseudo = Sum([10, 0, 0, 2, 10, 0, 0, 1, 0, 6, (byte)(length >> 8), (byte)length]);
        BinaryPrimitives.WriteUInt16BigEndian(partial.AsSpan(36), pseudo);
        var header = new VirtioNetHeader { Flags = VirtioNetHeader.NeedsChecksum, ChecksumStart = 20, ChecksumOffset = 16 };

        (List<byte[]> segments, int count) = Split(partial, header);

        Assert.Equal(1, count);
        Assert.Equal(packet, segments[0]);
    }

    [Fact]
    public void APlainPacketIsCopiedAsItIs()
    {
        byte[] packet = Udp(6, Payload(77));
        (List<byte[]> segments, int count) = Split(packet, default);
        Assert.Equal(1, count);
        Assert.Equal(packet, segments[0]);
    }

    [Fact]
    public void APlainReadThatIsNoIpPacketIsRefusedRatherThanSentAsAKeepalive()
    {
        var plain = new VirtioNetHeader();
        var area = new byte[Stride];
        var lengths = new int[1];

        Assert.Equal(-1, Segmenter.Split([], plain, area, Stride, Offset, 1, lengths));
        Assert.Equal(-1, Segmenter.Split(new byte[12], plain, area, Stride, Offset, 1, lengths));
    }

    [Fact]
    public void MalformedOrOversizedSuperPacketsAreRefused()
    {
        byte[] udp = Udp(4, Payload(3000));
        var tcpHeader = new VirtioNetHeader { GsoType = VirtioNetHeader.GsoTcpV4, GsoSize = 1000 };
        Assert.Equal(-1, Split(udp, tcpHeader).Count);
        Assert.Equal(-1, Split(udp[..30], new VirtioNetHeader { GsoType = VirtioNetHeader.GsoUdpL4, GsoSize = 1000 }).Count);
        Assert.Equal(-1, Split(Tcp(4, 1, Ack, Payload(3000)), new VirtioNetHeader { GsoType = VirtioNetHeader.GsoTcpV4, GsoSize = 0 }).Count);

        byte[] tcp = Tcp(4, 1, Ack, Payload(3000));
        var area = new byte[Stride * 2];
        Assert.Equal(Segmenter.NoRoom, Segmenter.Split(tcp, tcpHeader, area, Stride, Offset, maxSegments: 2, new int[2]));
    }

    private static (List<byte[]> Segments, int Count) Split(byte[] packet, VirtioNetHeader header)
    {
        var area = new byte[Stride * 8];
        var lengths = new int[8];
        int count = Segmenter.Split(packet, header, area, Stride, Offset, 8, lengths);
        var segments = new List<byte[]>();
        for (int i = 0; i < count; i++)
        {
            segments.Add(area.AsSpan((i * Stride) + Offset, lengths[i]).ToArray());
        }

        return (segments, count);
    }
}
