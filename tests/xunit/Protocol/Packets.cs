using System.Buffers.Binary;

namespace Taltun.Tests.Protocol;

/// <summary>Hand-built IP packets for tests.</summary>
internal static class Packets
{
    /// <summary>An IPv4 packet (protocol 253, for experiments) with the given addresses and payload size.</summary>
    public static byte[] Ipv4(byte[] source, byte[] destination, int payloadLength = 32, byte fill = 0xab)
    {
        var packet = new byte[20 + payloadLength];
        packet[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        packet[8] = 64;
        packet[9] = 253;
        source.CopyTo(packet, 12);
        destination.CopyTo(packet, 16);
        packet.AsSpan(20).Fill(fill);
        return packet;
    }

    public static readonly byte[] A = [10, 0, 0, 1];
    public static readonly byte[] B = [10, 0, 0, 2];
}
