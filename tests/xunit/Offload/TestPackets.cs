using System.Buffers.Binary;

namespace Taltun.Tests.Offload;

/// <summary>Hand-built TCP/UDP packets over IPv4 and IPv6 with checksums computed the slow, obvious way (16-bit words).</summary>
internal static class TestPackets
{
    public const byte Fin = 0x01;
    public const byte Syn = 0x02;
    public const byte Psh = 0x08;
    public const byte Ack = 0x10;
    public const byte Cwr = 0x80;

    public static readonly byte[] V4Source = [10, 0, 0, 2];
    public static readonly byte[] V4Destination = [10, 0, 0, 1];
    public static readonly byte[] V6Source = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
    public static readonly byte[] V6Destination = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

    public static byte[] Payload(int length, int seed = 0) => [.. Enumerable.Range(seed, length).Select(i => (byte)(i * 7))];

    public static byte[] Tcp(int version, uint sequence, byte flags, byte[] payload, ushort sourcePort = 40000, ushort id = 100, uint ack = 5000, byte[]? options = null)
    {
        options ??= [];
        var tcp = new byte[20 + options.Length + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), 5201);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(8), ack);
        tcp[12] = (byte)((20 + options.Length) / 4 << 4);
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 512);
        options.CopyTo(tcp, 20);
        payload.CopyTo(tcp, 20 + options.Length);
        return Wrap(version, 6, tcp, checksumOffset: 16, id);
    }

    public static byte[] Udp(int version, byte[] payload)
    {
        var udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), 53);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        payload.CopyTo(udp, 8);
        return Wrap(version, 17, udp, checksumOffset: 6, id: 7);
    }

    /// <summary>IP header in front of a transport segment, with the transport checksum filled in.</summary>
    public static byte[] Wrap(int version, byte protocol, byte[] transport, int checksumOffset, ushort id)
    {
        byte[] packet;
        if (version == 4)
        {
            packet = new byte[20 + transport.Length];
            packet[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), id);
            packet[6] = 0x40;
            packet[8] = 64;
            packet[9] = protocol;
            V4Source.CopyTo(packet, 12);
            V4Destination.CopyTo(packet, 16);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), (ushort)~Sum(packet.AsSpan(0, 20)));
        }
        else
        {
            packet = new byte[40 + transport.Length];
            packet[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)transport.Length);
            packet[6] = protocol;
            packet[7] = 64;
            V6Source.CopyTo(packet, 8);
            V6Destination.CopyTo(packet, 24);
        }

        transport.CopyTo(packet, packet.Length - transport.Length);
        int l4 = packet.Length - transport.Length;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(l4 + checksumOffset), (ushort)~TransportSum(packet, l4));
        return packet;
    }

    /// <summary>True if the IPv4 header (if any) and the TCP/UDP checksum verify.</summary>
    public static bool ChecksumsValid(ReadOnlySpan<byte> packet)
    {
        int version = packet[0] >> 4;
        int l4 = version == 4 ? (packet[0] & 0xf) * 4 : 40;
        bool header = version != 4 || Sum(packet[..l4]) == 0xffff;
        return header && TransportSum(packet, l4) == 0xffff;
    }

    /// <summary>One's-complement sum of pseudo-header and transport segment, folded.</summary>
    public static ushort TransportSum(ReadOnlySpan<byte> packet, int l4)
    {
        int version = packet[0] >> 4;
        byte protocol = version == 4 ? packet[9] : packet[6];
        int length = packet.Length - l4;
        var pseudo = new List<byte>();
        pseudo.AddRange(version == 4 ? packet.Slice(12, 8).ToArray() : packet.Slice(8, 32).ToArray());
        pseudo.AddRange([0, protocol, (byte)(length >> 8), (byte)length]);
        return Sum([.. pseudo, .. packet[l4..].ToArray()]);
    }

    public static ushort Sum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i < data.Length; i += 2)
        {
            sum += (uint)(data[i] << 8) + (i + 1 < data.Length ? data[i + 1] : 0u);
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)sum;
    }
}
