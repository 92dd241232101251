using System.Buffers.Binary;

namespace Taltun.Tests.Interop;

/// <summary>ICMPv4 echo packets with correct checksums, so a real kernel answers them.</summary>
internal static class Icmp
{
    public const byte EchoReply = 0;
    public const byte EchoRequest = 8;

    public static byte[] Echo(byte type, byte[] source, byte[] destination, ushort id, ushort sequence, int payloadLength = 56)
    {
        byte[] packet = Protocol.Packets.Ipv4(source, destination, 8 + payloadLength);
        packet[9] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), Checksum(packet.AsSpan(0, 20)));

        Span<byte> icmp = packet.AsSpan(20);
        icmp[..8].Clear();
        icmp[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[4..], id);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], sequence);
        for (int i = 8; i < icmp.Length; i++)
        {
            icmp[i] = (byte)i;
        }

        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Checksum(icmp));
        return packet;
    }

    public static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (data.Length % 2 == 1)
        {
            sum += (uint)data[^1] << 8;
        }

        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
