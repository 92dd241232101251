using System.Buffers.Binary;

namespace Taltun.Routing;

/// <summary>
/// Reads the few IP header fields cryptokey routing needs, without allocating. Callers pass the
/// packet as it is in the buffer; every method tolerates garbage and says so.
/// </summary>
internal static class IpPacket
{
    public const int Ipv4HeaderMin = 20;
    public const int Ipv6HeaderSize = 40;

    /// <summary>4 or 6 for a packet long enough to hold that version's addresses; 0 otherwise.</summary>
    public static int Version(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty)
        {
            return 0;
        }

        int version = packet[0] >> 4;
        return version switch
        {
            4 when packet.Length >= Ipv4HeaderMin => 4,
            6 when packet.Length >= Ipv6HeaderSize => 6,
            _ => 0,
        };
    }

    /// <summary>The length the header declares (total length; for IPv6, payload plus header), or 0 if none or less than a header.</summary>
    public static int DeclaredLength(ReadOnlySpan<byte> packet) => Version(packet) switch
    {
        4 when BinaryPrimitives.ReadUInt16BigEndian(packet[2..]) is var total && total >= Ipv4HeaderMin => total,
        6 => BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) + Ipv6HeaderSize,
        _ => 0,
    };

    /// <summary>
    /// What a router does to a packet it forwards: IPv4's TTL or IPv6's hop limit goes down by one
    /// (the IPv4 header checksum follows, RFC 1624). False, and the packet unchanged, if it would
    /// reach zero: then it must be dropped, which ends any loop.
    /// </summary>
    public static bool TryDecrementHopLimit(Span<byte> packet)
    {
        switch (Version(packet))
        {
            case 4:
                byte ttl = packet[8];
                if (ttl <= 1)
                {
                    return false;
                }

                // TTL is the high byte of the header's fifth 16-bit word (TTL, protocol).
                ushort before = BinaryPrimitives.ReadUInt16BigEndian(packet[8..]);
                packet[8] = (byte)(ttl - 1);
                IncrementalChecksum.Replace(packet[10..], before, BinaryPrimitives.ReadUInt16BigEndian(packet[8..]));
                return true;
            case 6:
                if (packet[7] <= 1)
                {
                    return false;
                }

                packet[7]--;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The source address bytes (4 or 16); empty if not an IP packet.</summary>
    public static ReadOnlySpan<byte> Source(ReadOnlySpan<byte> packet) => Version(packet) switch
    {
        4 => packet.Slice(12, 4),
        6 => packet.Slice(8, 16),
        _ => default,
    };

    /// <summary>The destination address bytes (4 or 16); empty if not an IP packet.</summary>
    public static ReadOnlySpan<byte> Destination(ReadOnlySpan<byte> packet) => Version(packet) switch
    {
        4 => packet.Slice(16, 4),
        6 => packet.Slice(24, 16),
        _ => default,
    };
}
