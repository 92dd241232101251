using System.Buffers.Binary;

namespace Taltun.Offload;

/// <summary>
/// Turns what one read of an IFF_VNET_HDR TUN device returned into ordinary IP packets: a TCP
/// (TSO) or UDP (USO) super-packet of up to 64 KB is cut into segments of the size the kernel
/// asked for, each with its own IP and TCP/UDP header and correct checksums; a single packet
/// whose checksum the kernel left to us gets it completed. Segments go to fixed-stride slots
/// (segment i at <c>area[i * stride + offset]</c>) so the caller can encrypt them in place.
/// Stateless; thread-safe.
/// </summary>
internal static class Segmenter
{
    public const int NoRoom = -2;

    private const byte Tcp = 6;
    private const byte Udp = 17;
    private const byte TcpFin = 0x01;
    private const byte TcpPsh = 0x08;
    private const byte TcpCwr = 0x80;

    /// <summary>
    /// Splits <paramref name="packet"/> (without its virtio header); returns how many packets it
    /// wrote, with their lengths in <paramref name="lengths"/>; -1 if it is malformed (the caller
    /// drops and counts it), or <see cref="NoRoom"/> if it needs more than <paramref name="maxSegments"/> slots.
    /// </summary>
    public static int Split(ReadOnlySpan<byte> packet, in VirtioNetHeader header, Span<byte> area, int stride, int offset, int maxSegments, Span<int> lengths)
    {
        byte gso = (byte)(header.GsoType & ~VirtioNetHeader.GsoEcn);
        if (gso == VirtioNetHeader.GsoNone)
        {
            // Not an IP packet (nothing the kernel sends): an empty one would leave as a keepalive.
            if (packet.Length > stride - offset || !TryParse(packet, out _, out _, out _))
            {
                return -1;
            }

            if (maxSegments < 1)
            {
                return NoRoom;
            }

            Span<byte> output = area.Slice(offset, packet.Length);
            packet.CopyTo(output);
            if ((header.Flags & VirtioNetHeader.NeedsChecksum) != 0 && !CompleteChecksum(output, header.ChecksumStart, header.ChecksumOffset))
            {
                return -1;
            }

            lengths[0] = packet.Length;
            return 1;
        }

        if (!TryParse(packet, out int version, out int ipLength, out byte protocol) || header.GsoSize == 0 || DeclaredLength(packet, version) != packet.Length)
        {
            return -1;
        }

        bool isTcp = gso is VirtioNetHeader.GsoTcpV4 or VirtioNetHeader.GsoTcpV6;
        if (isTcp != (protocol == Tcp) || (!isTcp && (gso != VirtioNetHeader.GsoUdpL4 || protocol != Udp)))
        {
            return -1;
        }

        int transportLength = isTcp ? (packet.Length > ipLength + 12 ? (packet[ipLength + 12] >> 4) * 4 : 0) : 8;
        int headersLength = ipLength + transportLength;
        if (transportLength < (isTcp ? 20 : 8) || headersLength > packet.Length)
        {
            return -1;
        }

        ReadOnlySpan<byte> payload = packet[headersLength..];
        int segmentSize = header.GsoSize;
        int count = (payload.Length + segmentSize - 1) / segmentSize;
        if (count == 0 || headersLength + segmentSize > stride - offset)
        {
            return -1;
        }

        if (count > maxSegments)
        {
            return NoRoom;
        }

        ushort firstId = version == 4 ? BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) : (ushort)0;
        uint firstSequence = isTcp ? BinaryPrimitives.ReadUInt32BigEndian(packet[(ipLength + 4)..]) : 0;
        for (int i = 0; i < count; i++)
        {
            int start = i * segmentSize;
            int length = Math.Min(segmentSize, payload.Length - start);
            Span<byte> output = area.Slice((i * stride) + offset, headersLength + length);
            packet[..headersLength].CopyTo(output);
            payload.Slice(start, length).CopyTo(output[headersLength..]);
            int l4Length = transportLength + length;
            if (version == 4)
            {
                BinaryPrimitives.WriteUInt16BigEndian(output[2..], (ushort)(headersLength + length));
                BinaryPrimitives.WriteUInt16BigEndian(output[4..], (ushort)(firstId + i));
                Checksum.SetIpv4Header(output[..ipLength]);
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(output[4..], (ushort)l4Length);
            }

            Span<byte> l4 = output[ipLength..];
            int checksumAt;
            if (isTcp)
            {
                BinaryPrimitives.WriteUInt32BigEndian(l4[4..], firstSequence + (uint)start);
                if (i != count - 1)
                {
                    l4[13] &= unchecked((byte)~(TcpFin | TcpPsh));
                }

                if (i != 0)
                {
                    l4[13] &= unchecked((byte)~TcpCwr);
                }

                checksumAt = 16;
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(l4[4..], (ushort)l4Length);
                checksumAt = 6;
            }

            l4[checksumAt] = 0;
            l4[checksumAt + 1] = 0;
            ushort sum = Checksum.Finish(Checksum.Add(l4, PseudoHeader(output, version, protocol, l4Length)));
            BinaryPrimitives.WriteUInt16BigEndian(l4[checksumAt..], !isTcp && sum == 0 ? (ushort)0xffff : sum);
            lengths[i] = output.Length;
        }

        return count;
    }

    /// <summary>The pseudo-header sum of an IPv4 or IPv6 packet's addresses for a transport segment.</summary>
    public static ulong PseudoHeader(ReadOnlySpan<byte> packet, int version, byte protocol, int transportLength) => version == 4
        ? Checksum.PseudoHeader(packet.Slice(12, 4), packet.Slice(16, 4), protocol, transportLength)
        : Checksum.PseudoHeader(packet.Slice(8, 16), packet.Slice(24, 16), protocol, transportLength);

    /// <summary>The IP version, header length and transport protocol of a packet Taltun can segment (IPv4, or IPv6 without extension headers).</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out int version, out int ipLength, out byte protocol)
    {
        version = packet.IsEmpty ? 0 : packet[0] >> 4;
        ipLength = 0;
        protocol = 0;
        if (version == 4 && packet.Length >= 20)
        {
            ipLength = (packet[0] & 0x0f) * 4;
            protocol = packet[9];
            return ipLength >= 20 && packet.Length >= ipLength;
        }

        if (version == 6 && packet.Length >= 40)
        {
            ipLength = 40;
            protocol = packet[6];
            return true;
        }

        return false;
    }

    private static int DeclaredLength(ReadOnlySpan<byte> packet, int version) => version == 4
        ? BinaryPrimitives.ReadUInt16BigEndian(packet[2..])
        : BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) + 40;

    /// <summary>Completes a checksum the kernel left partial: the field holds the pseudo-header sum, the rest is summed from <paramref name="start"/>.</summary>
    private static bool CompleteChecksum(Span<byte> packet, int start, int fieldOffset)
    {
        if (start + fieldOffset + 2 > packet.Length)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(packet[(start + fieldOffset)..], Checksum.Finish(Checksum.Add(packet[start..])));
        return true;
    }
}
