using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Taltun.Offload;
using static Taltun.Tests.Offload.TestPackets;

namespace Taltun.Tests.Offload;

public sealed unsafe class TcpCoalescerTests : IDisposable
{
    private readonly PacketPipe _tun = new();
    private readonly TcpCoalescer _coalescer = new();
    private readonly List<IntPtr> _buffers = [];

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    public void ConsecutiveSegmentsOfAFlowBecomeOneSuperPacket(int version)
    {
        byte[][] segments =
        [
            Tcp(version, 1000, Ack, Payload(1000, 0)),
            Tcp(version, 2000, Ack, Payload(1000, 1000)),
            Tcp(version, 3000, Ack, Payload(1000, 2000)),
            Tcp(version, 4000, Ack | Psh, Payload(500, 3000)),
        ];

        var written = Coalesce(segments);

        (VirtioNetHeader header, byte[] packet) = Assert.Single(written);
        int ip = version == 4 ? 20 : 40;
        Assert.Equal(VirtioNetHeader.NeedsChecksum, header.Flags);
        Assert.Equal(version == 4 ? VirtioNetHeader.GsoTcpV4 : VirtioNetHeader.GsoTcpV6, header.GsoType);
        Assert.Equal((1000, ip + 20, ip, 16), (header.GsoSize, header.HeaderLength, header.ChecksumStart, header.ChecksumOffset));
        Assert.Equal(ip + 20 + 3500, packet.Length);
        Assert.Equal(Payload(3500), packet[(ip + 20)..]);
        Assert.Equal(1000u, BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(ip + 4)));
        Assert.True((packet[ip + 13] & Psh) != 0);

        // The kernel finishes the checksum from the pseudo-header sum Taltun left in the field.
        ushort rest = Sum(packet.AsSpan(ip));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(ip + 16), (ushort)~Fold((uint)rest));
        Assert.True(ChecksumsValid(packet));
    }

    [Fact]
    public void InterleavedFlowsMergeSeparatelyAndKeepTheirOrder()
    {
        byte[][] segments =
        [
            Tcp(4, 1000, Ack, Payload(800), sourcePort: 1),
            Tcp(4, 9000, Ack, Payload(800), sourcePort: 2),
            Tcp(4, 1800, Ack, Payload(800), sourcePort: 1),
            Tcp(4, 9800, Ack, Payload(800), sourcePort: 2),
        ];

        var written = Coalesce(segments);

        Assert.Equal(2, written.Count);
        Assert.Equal([1, 2], written.Select(w => (int)BinaryPrimitives.ReadUInt16BigEndian(w.Packet.AsSpan(20))));
        Assert.All(written, w => Assert.Equal(20 + 20 + 1600, w.Packet.Length));
    }

    [Fact]
    public void GapsBadChecksumsAndOtherTrafficAreWrittenAsTheyCame()
    {
        byte[] corrupt = Tcp(4, 2000, Ack, Payload(1000));
        corrupt[^1] ^= 0xff;
        byte[][] packets =
        [
            Tcp(4, 1000, Ack, Payload(1000)),
            Tcp(4, 3000, Ack, Payload(1000)),   // a gap: not the next sequence number
            corrupt,
            Tcp(4, 5000, Syn, []),
            Udp(4, Payload(300)),
            Tcp(6, 1, Ack | Fin, Payload(10)),
        ];

        var written = Coalesce(packets);

        Assert.Equal(packets.Length, written.Count);
        Assert.All(written, w => Assert.Equal(VirtioNetHeader.GsoNone, w.Header.GsoType));
        Assert.All(written, w => Assert.Equal(0, w.Header.Flags));
        Assert.Equal(packets, written.Select(w => w.Packet));
    }

    [Fact]
    public void ALongerSegmentOrDifferentAckStartsANewGroup()
    {
        byte[][] packets =
        [
            Tcp(4, 1000, Ack, Payload(500)),
            Tcp(4, 1500, Ack, Payload(600)),             // longer than the first: cannot follow it
            Tcp(4, 2100, Ack, Payload(600), ack: 7777),  // another ACK number
        ];

        Assert.Equal(3, Coalesce(packets).Count);
    }

    public void Dispose()
    {
        _coalescer.Dispose();
        _tun.Dispose();
        foreach (IntPtr buffer in _buffers)
        {
            NativeMemory.Free((void*)buffer);
        }
    }

    private static uint Fold(uint sum) => sum > 0xffff ? (sum & 0xffff) + (sum >> 16) : sum;

    private List<(VirtioNetHeader Header, byte[] Packet)> Coalesce(byte[][] packets)
    {
        foreach (byte[] packet in packets)
        {
            // Each packet with the headroom the receive path leaves in front of it.
            byte* buffer = (byte*)NativeMemory.Alloc((nuint)(TcpCoalescer.Headroom + packet.Length));
            _buffers.Add((IntPtr)buffer);
            packet.CopyTo(new Span<byte>(buffer + TcpCoalescer.Headroom, packet.Length));
            _coalescer.Add(buffer + TcpCoalescer.Headroom, packet.Length);
        }

        Assert.Equal(0, _coalescer.Flush(_tun.Write));
        return _tun.ReadAll();
    }
}
