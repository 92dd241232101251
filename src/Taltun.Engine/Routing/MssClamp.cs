using System.Buffers.Binary;

namespace Taltun.Routing;

/// <summary>
/// TCP MSS clamping in the tunnel, so TCP never sends segments too big for it: the MSS option of
/// a SYN or SYN-ACK crossing the tunnel (either way) is lowered to what fits the tunnel MTU, and
/// the TCP checksum is updated incrementally (RFC 1624). Hosts routed through the tunnel take their
/// MSS from a 1500-byte LAN; this spares them an iptables TCPMSS rule. Stateless; thread-safe.
/// </summary>
internal static class MssClamp
{
    private const byte Tcp = 6;
    private const byte Syn = 0x02;
    private const int TcpHeaderMin = 20;

    /// <summary>The largest MSS that fits <paramref name="mtu"/>: MTU less the IP and TCP headers.</summary>
    public static int MaxSegment(int mtu, int ipVersion) => mtu - (ipVersion == 4 ? 20 : 40) - TcpHeaderMin;

    /// <summary>Clamps the packet's MSS option in place if it is a SYN advertising more than fits; true if it changed.</summary>
    public static bool Apply(Span<byte> packet, int mtu)
    {
        // Cheap rejections first: this runs on every packet.
        if (packet.Length < 40)
        {
            return false;
        }

        int version = packet[0] >> 4;
        int tcp;
        if (version == 4)
        {
            tcp = (packet[0] & 0x0f) * 4;
            bool firstFragment = (BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x1fff) == 0;
            if (packet[9] != Tcp || !firstFragment || tcp < 20)
            {
                return false;
            }
        }
        else if (version == 6 && packet.Length >= 60 && packet[6] == Tcp)
        {
            tcp = 40;
        }
        else
        {
            return false;
        }

        if (packet.Length < tcp + TcpHeaderMin || (packet[tcp + 13] & Syn) == 0)
        {
            return false;
        }

        int headerLength = (packet[tcp + 12] >> 4) * 4;
        if (headerLength < TcpHeaderMin || packet.Length < tcp + headerLength)
        {
            return false;
        }

        Span<byte> options = packet.Slice(tcp + TcpHeaderMin, headerLength - TcpHeaderMin);
        int max = MaxSegment(mtu, version);
        for (int i = 0; i < options.Length;)
        {
            byte kind = options[i];
            if (kind == 0)
            {
                break;
            }

            if (kind == 1)
            {
                i++;
                continue;
            }

            if (i + 1 >= options.Length || options[i + 1] < 2 || i + options[i + 1] > options.Length)
            {
                return false;
            }

            if (kind == 2 && options[i + 1] == 4)
            {
                ushort mss = BinaryPrimitives.ReadUInt16BigEndian(options[(i + 2)..]);
                if (mss <= max)
                {
                    return false;
                }

                BinaryPrimitives.WriteUInt16BigEndian(options[(i + 2)..], (ushort)max);
                IncrementalChecksum.Replace(packet[(tcp + 16)..], mss, (ushort)max);
                return true;
            }

            i += options[i + 1];
        }

        return false;
    }
}
