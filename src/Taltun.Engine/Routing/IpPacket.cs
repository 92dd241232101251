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

    /// <summary>The length the header declares (total length; for IPv6, payload plus header), or 0.</summary>
    public static int DeclaredLength(ReadOnlySpan<byte> packet) => Version(packet) switch
    {
        4 => BinaryPrimitives.ReadUInt16BigEndian(packet[2..]),
        6 => BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) + Ipv6HeaderSize,
        _ => 0,
    };

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
