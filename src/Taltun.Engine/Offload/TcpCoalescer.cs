using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Taltun.Interop;

namespace Taltun.Offload;

/// <summary>
/// Generic receive offload for the TUN device: consecutive segments of one TCP flow, decrypted in
/// the same batch, go to the kernel as one super-packet (one write, one pass through its TCP
/// stack) instead of one write each. Everything else is written as it came, in order.
///
/// Merged only: TCP over IPv4 (no options, not fragmented) or IPv6 (no extension headers) with a
/// valid checksum, flags ACK or PSH, same addresses, ports, ACK number, TCP options and IP fields,
/// the next sequence number, a payload no longer than the first one's (a shorter one or a PSH ends
/// the group), up to 64 KB. Packets are written with a <see cref="VirtioNetHeader"/> placed in the
/// <see cref="Headroom"/> bytes each caller leaves in front of every packet. Payloads are not
/// copied: a merged write gathers them with writev.
///
/// Not thread-safe: each receive loop owns one. Packets must stay put until <see cref="Flush"/>.
/// </summary>
internal sealed unsafe class TcpCoalescer : IDisposable
{
    public const int Headroom = VirtioNetHeader.Size;

    /// <summary>Packets held before a flush is forced.</summary>
    public const int Capacity = 256;

    private const int MaxSegmentsPerWrite = 64;
    private const byte Tcp = 6;
    private const byte TcpAck = 0x10;
    private const byte TcpPsh = 0x08;

    private readonly Item[] _items = new Item[Capacity];
    private readonly Libc.IoVec* _iovecs = (Libc.IoVec*)NativeMemory.Alloc((nuint)((MaxSegmentsPerWrite + 1) * sizeof(Libc.IoVec)));
    private int _count;

    /// <summary>Packets held now.</summary>
    public int Count => _count;

    public bool IsFull => _count == Capacity;

    /// <summary>Takes a decrypted packet for the TUN device; it is written at the next <see cref="Flush"/>, merged if it can be.</summary>
    public void Add(byte* packet, int length)
    {
        var span = new ReadOnlySpan<byte>(packet, length);
        Item item = Describe(span);
        item.Packet = packet;
        item.Length = length;
        item.Next = -1;
        item.Last = _count;
        if (item.Mergeable && FindGroup(span, item) is int group and >= 0 && TryMerge(group, ref item))
        {
            item.Head = group;
            _items[_count++] = item;
            return;
        }

        item.Head = -1;
        item.Segments = 1;
        item.Total = length;
        _items[_count++] = item;
    }

    /// <summary>Writes every group to <paramref name="tun"/>, in order of their first packet; returns how many packets the kernel refused.</summary>
    public int Flush(FileDescriptor tun)
    {
        int failed = 0;
        for (int i = 0; i < _count; i++)
        {
            ref Item item = ref _items[i];
            if (item.Head >= 0)
            {
                continue;
            }

            failed += Write(tun, i) ? 0 : item.Segments;
        }

        _count = 0;
        return failed;
    }

    public void Dispose() => NativeMemory.Free(_iovecs);

    private static Item Describe(ReadOnlySpan<byte> packet)
    {
        var item = new Item();
        if (!Segmenter.TryParse(packet, out int version, out int ipLength, out byte protocol) || protocol != Tcp || packet.Length < ipLength + 20)
        {
            return item;
        }

        int tcpLength = (packet[ipLength + 12] >> 4) * 4;
        byte flags = packet[ipLength + 13];
        int payload = packet.Length - ipLength - tcpLength;
        bool ipOk = version == 4
            ? ipLength == 20 && BinaryPrimitives.ReadUInt16BigEndian(packet[2..]) == packet.Length && (BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x3fff) == 0
            : BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) + 40 == packet.Length;
        item.Version = version;
        item.IpLength = ipLength;
        item.TcpLength = tcpLength;
        item.Payload = payload;
        item.Sequence = BinaryPrimitives.ReadUInt32BigEndian(packet[(ipLength + 4)..]);
        item.Push = (flags & TcpPsh) != 0;
        item.Mergeable = ipOk && tcpLength >= 20 && payload > 0 && (flags & ~(TcpAck | TcpPsh)) == 0 && (flags & TcpAck) != 0
            && Checksum.Fold(Checksum.Add(packet[ipLength..], Segmenter.PseudoHeader(packet, version, Tcp, packet.Length - ipLength))) == 0xffff;
        return item;
    }

    /// <summary>The newest group of the same flow that is still open, or -1.</summary>
    private int FindGroup(ReadOnlySpan<byte> packet, in Item item)
    {
        for (int i = _count - 1; i >= 0; i--)
        {
            ref Item candidate = ref _items[i];
            if (candidate.Head >= 0 || candidate.Version != item.Version || candidate.IpLength != item.IpLength)
            {
                continue;
            }

            var other = new ReadOnlySpan<byte>(candidate.Packet, candidate.Length);
            if (SameFlow(packet, other, item.Version, item.IpLength))
            {
                return candidate.Mergeable && !candidate.Closed ? i : -1;
            }
        }

        return -1;
    }

    private bool TryMerge(int group, ref Item item)
    {
        ref Item head = ref _items[group];
        var first = new ReadOnlySpan<byte>(head.Packet, head.Length);
        var packet = new ReadOnlySpan<byte>(item.Packet, item.Length);
        int tcp = item.IpLength;
        int maxTotal = item.Version == 4 ? 65535 : 65535 + 40;
        bool fits = item.Sequence == head.Sequence + (uint)head.MergedPayload + (uint)head.Payload
            && item.TcpLength == head.TcpLength
            && item.Payload <= head.Payload
            && head.Segments < MaxSegmentsPerWrite
            && head.Total + item.Payload <= maxTotal
            && packet.Slice(tcp + 8, 4).SequenceEqual(first.Slice(tcp + 8, 4))
            && packet.Slice(tcp + 20, item.TcpLength - 20).SequenceEqual(first.Slice(tcp + 20, item.TcpLength - 20))
            && SameIpFields(packet, first, item.Version);
        if (!fits)
        {
            return false;
        }

        _items[head.Last].Next = _count;
        head.Last = _count;
        head.Segments++;
        head.Total += item.Payload;
        head.MergedPayload += item.Payload;
        head.Push |= item.Push;
        head.Closed = item.Payload < head.Payload || item.Push;
        return true;
    }

    private bool Write(FileDescriptor tun, int index)
    {
        ref Item head = ref _items[index];
        byte* header = head.Packet - Headroom;
        var vnet = new VirtioNetHeader();
        if (head.Segments == 1)
        {
            vnet.Write(new Span<byte>(header, Headroom));
            return Libc.Write(tun, header, (nuint)(Headroom + head.Length)) == Headroom + head.Length;
        }

        var packet = new Span<byte>(head.Packet, head.Length);
        int ipLength = head.IpLength;
        if (head.Version == 4)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet[2..], (ushort)head.Total);
            Checksum.SetIpv4Header(packet[..20]);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet[4..], (ushort)(head.Total - 40));
        }

        if (head.Push)
        {
            packet[ipLength + 13] |= TcpPsh;
        }

        // The kernel completes the checksum: the field holds the pseudo-header sum only.
        BinaryPrimitives.WriteUInt16BigEndian(packet[(ipLength + 16)..], Checksum.Fold(Segmenter.PseudoHeader(packet, head.Version, Tcp, head.Total - ipLength)));
        vnet.Flags = VirtioNetHeader.NeedsChecksum;
        vnet.GsoType = head.Version == 4 ? VirtioNetHeader.GsoTcpV4 : VirtioNetHeader.GsoTcpV6;
        vnet.HeaderLength = (ushort)(ipLength + head.TcpLength);
        vnet.GsoSize = (ushort)head.Payload;
        vnet.ChecksumStart = (ushort)ipLength;
        vnet.ChecksumOffset = 16;
        vnet.Write(new Span<byte>(header, Headroom));

        int count = 0;
        _iovecs[count++] = new Libc.IoVec { Base = header, Length = (nuint)(Headroom + head.Length) };
        for (int next = head.Next; next >= 0; next = _items[next].Next)
        {
            ref Item segment = ref _items[next];
            int headers = segment.IpLength + segment.TcpLength;
            _iovecs[count++] = new Libc.IoVec { Base = segment.Packet + headers, Length = (nuint)segment.Payload };
        }

        long expected = Headroom + head.Total;
        return Libc.Writev(tun, _iovecs, count) == expected;
    }

    private static bool SameFlow(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int version, int ipLength)
    {
        bool addresses = version == 4 ? a.Slice(12, 8).SequenceEqual(b.Slice(12, 8)) : a.Slice(8, 32).SequenceEqual(b.Slice(8, 32));
        return addresses && b.Length >= ipLength + 4 && a.Slice(ipLength, 4).SequenceEqual(b.Slice(ipLength, 4));
    }

    private static bool SameIpFields(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int version) => version == 4
        ? a[1] == b[1] && a[8] == b[8] && (a[6] & 0x40) == (b[6] & 0x40)
        : a[..4].SequenceEqual(b[..4]) && a[7] == b[7];

    /// <summary>A packet, and for the first of a group the group's state.</summary>
    private struct Item
    {
        public byte* Packet;
        public int Length;
        public int Version;
        public int IpLength;
        public int TcpLength;
        public int Payload;
        public uint Sequence;
        public bool Push;
        public bool Mergeable;

        // Group links: Head is the first packet's index (-1 for a first packet), Next the next member.
        public int Head;
        public int Next;

        // Kept on the first packet only.
        public int Last;
        public int Segments;
        public int Total;
        public int MergedPayload;
        public bool Closed;
    }
}
