using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Taltun.Routing;

/// <summary>How a hub treats a packet from one peer to another.</summary>
public enum RelayMode
{
    /// <summary>Every peer reaches every other (the hub-and-spoke default).</summary>
    All,

    /// <summary>Peers reach only the hub.</summary>
    None,

    /// <summary>Only what a rule allows.</summary>
    Rules,
}

/// <summary>A relay rule's protocol: any, or one of the IP protocol numbers.</summary>
public enum RelayProtocol : byte
{
    Any = 0,
    Icmp = 1,
    Tcp = 6,
    Udp = 17,
    IcmpV6 = 58,
}

/// <summary>Destination ports First..Last, both included.</summary>
public readonly record struct PortRange(ushort First, ushort Last)
{
    public bool Contains(ushort port) => port >= First && port <= Last;

    public override string ToString() => First == Last ? $"{First}" : $"{First}-{Last}";
}

/// <summary>
/// An allow rule for relayed packets, like a line of Nebula's firewall or a Tailscale ACL: a
/// packet passes if its source is in one of <see cref="Sources"/>, its destination in one of
/// <see cref="Destinations"/>, its protocol matches and, for TCP and UDP, its destination port is
/// in one of <see cref="Ports"/> (empty: any). Rules hold no connection state, so each also admits
/// the replies to what it allows: packets the other way, from those ports, that cannot open
/// anything — TCP segments with ACK or RST set, UDP, ICMP echo replies and errors. For the
/// destinations to open connections themselves, write a rule the other way. Immutable.
/// </summary>
public sealed record RelayRule(IReadOnlyList<IPNetwork> Sources, IReadOnlyList<IPNetwork> Destinations, RelayProtocol Protocol, IReadOnlyList<PortRange> Ports)
{
    public override string ToString() =>
        $"{string.Join(",", Sources)} -> {string.Join(",", Destinations)} {Protocol.ToString().ToLowerInvariant()}{(Ports.Count == 0 ? string.Empty : " ports " + string.Join(",", Ports))}";
}

/// <summary>
/// What a hub relays between its peers. Relaying happens inside Taltun, so the host's own
/// forwarding switch and firewall (ip_forward, the nftables FORWARD chain) never see these packets:
/// this policy is the hub's firewall for peer-to-peer traffic. <see cref="Allows"/> runs per
/// relayed packet, without allocation: rules are kept as raw address bits. Immutable; thread-safe.
/// </summary>
public sealed class RelayPolicy
{
    public static readonly RelayPolicy All = new(RelayMode.All, []);

    public static readonly RelayPolicy None = new(RelayMode.None, []);

    private readonly CompiledRule[] _rules;

    public RelayPolicy(RelayMode mode, IReadOnlyList<RelayRule> rules)
    {
        Mode = mode;
        Rules = rules;
        _rules = [.. rules.Select(r => new CompiledRule(r))];
    }

    public RelayMode Mode { get; }

    public IReadOnlyList<RelayRule> Rules { get; }

    /// <summary>True if the packet (a decrypted IP packet bound for another peer) may be relayed.</summary>
    public bool Allows(ReadOnlySpan<byte> packet)
    {
        switch (Mode)
        {
            case RelayMode.All:
                return true;
            case RelayMode.None:
                return false;
        }

        if (!PacketFields.TryRead(packet, out PacketFields fields))
        {
            return false;
        }

        foreach (CompiledRule rule in _rules)
        {
            if (rule.Matches(packet, fields))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>"all", "none", or "rules" with how many.</summary>
    public override string ToString() => Mode switch
    {
        RelayMode.All => "all",
        RelayMode.None => "none",
        _ => $"rules ({Rules.Count})",
    };

    /// <summary>The fields a rule looks at, read once per packet; ports and ICMP type are -1 when the packet does not carry them.</summary>
    private readonly record struct PacketFields(int Version, byte Protocol, int SourcePort, int DestinationPort, int TcpFlags, int IcmpType)
    {
        private const byte TcpAck = 0x10;
        private const byte TcpRst = 0x04;

        /// <summary>True for what only answers: TCP with ACK or RST, UDP, ICMP echo replies and errors, and other protocols.</summary>
        public bool CannotOpen => Protocol switch
        {
            (byte)RelayProtocol.Tcp => TcpFlags >= 0 && (TcpFlags & (TcpAck | TcpRst)) != 0,
            (byte)RelayProtocol.Icmp => IcmpType is 0 or 3 or 11,
            (byte)RelayProtocol.IcmpV6 => IcmpType is 1 or 3 or 129,
            _ => true,
        };

        public static bool TryRead(ReadOnlySpan<byte> packet, out PacketFields fields)
        {
            fields = default;
            int version = IpPacket.Version(packet);
            if (version == 4)
            {
                int header = (packet[0] & 0x0f) * 4;
                if (header < IpPacket.Ipv4HeaderMin)
                {
                    return false;
                }

                // Only a first fragment carries the ports.
                bool firstFragment = (BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x1fff) == 0;
                fields = firstFragment ? Transport(packet, 4, packet[9], header) : new PacketFields(4, packet[9], -1, -1, -1, -1);
                return true;
            }

            if (version == 6)
            {
                // Extension headers are not walked: a packet that has them matches only port-less rules.
                fields = Transport(packet, 6, packet[6], IpPacket.Ipv6HeaderSize);
                return true;
            }

            return false;
        }

        /// <summary>Ports, TCP flags and ICMP type from the transport header at <paramref name="at"/>, where the packet is long enough to hold them.</summary>
        private static PacketFields Transport(ReadOnlySpan<byte> packet, int version, byte protocol, int at)
        {
            bool ports = protocol is (byte)RelayProtocol.Tcp or (byte)RelayProtocol.Udp && packet.Length >= at + 4;
            return new PacketFields(
                version,
                protocol,
                ports ? BinaryPrimitives.ReadUInt16BigEndian(packet[at..]) : -1,
                ports ? BinaryPrimitives.ReadUInt16BigEndian(packet[(at + 2)..]) : -1,
                protocol == (byte)RelayProtocol.Tcp && packet.Length > at + 13 ? packet[at + 13] : -1,
                protocol is (byte)RelayProtocol.Icmp or (byte)RelayProtocol.IcmpV6 && packet.Length > at ? packet[at] : -1);
        }
    }

    /// <summary>A rule as raw prefixes: (address bits, mask) per family, compared with one AND each.</summary>
    private sealed class CompiledRule
    {
        private readonly RawPrefix[] _sources;
        private readonly RawPrefix[] _destinations;
        private readonly RelayProtocol _protocol;
        private readonly PortRange[] _ports;

        public CompiledRule(RelayRule rule)
        {
            _sources = [.. rule.Sources.Select(RawPrefix.From)];
            _destinations = [.. rule.Destinations.Select(RawPrefix.From)];
            _protocol = rule.Protocol;
            _ports = [.. rule.Ports];
        }

        /// <summary>The packet is what the rule allows, or a reply to it.</summary>
        public bool Matches(ReadOnlySpan<byte> packet, PacketFields fields)
        {
            if (_protocol != RelayProtocol.Any && (byte)_protocol != fields.Protocol)
            {
                return false;
            }

            ReadOnlySpan<byte> source = IpPacket.Source(packet);
            ReadOnlySpan<byte> destination = IpPacket.Destination(packet);
            return (PortAllowed(fields.DestinationPort) && AnyContains(_sources, source) && AnyContains(_destinations, destination))
                || (fields.CannotOpen && PortAllowed(fields.SourcePort) && AnyContains(_destinations, source) && AnyContains(_sources, destination));
        }

        private bool PortAllowed(int port) => _ports.Length == 0 || (port >= 0 && AnyContains(_ports, (ushort)port));

        private static bool AnyContains(RawPrefix[] prefixes, ReadOnlySpan<byte> address)
        {
            foreach (RawPrefix prefix in prefixes)
            {
                if (prefix.Contains(address))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool AnyContains(PortRange[] ranges, ushort port)
        {
            foreach (PortRange range in ranges)
            {
                if (range.Contains(port))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private readonly record struct RawPrefix(bool IsV6, UInt128 Bits, UInt128 Mask)
    {
        public static RawPrefix From(IPNetwork prefix)
        {
            bool v6 = prefix.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
            int width = v6 ? 128 : 32;
            Span<byte> bytes = stackalloc byte[16];
            prefix.BaseAddress.TryWriteBytes(bytes, out int written);
            UInt128 bits = v6 ? BinaryPrimitives.ReadUInt128BigEndian(bytes) : BinaryPrimitives.ReadUInt32BigEndian(bytes[..written]);
            UInt128 mask = prefix.PrefixLength == 0 ? UInt128.Zero : (UInt128.MaxValue << (width - prefix.PrefixLength)) & (v6 ? UInt128.MaxValue : uint.MaxValue);
            return new RawPrefix(v6, bits & mask, mask);
        }

        public bool Contains(ReadOnlySpan<byte> address) => address.Length switch
        {
            4 when !IsV6 => (BinaryPrimitives.ReadUInt32BigEndian(address) & Mask) == Bits,
            16 when IsV6 => (BinaryPrimitives.ReadUInt128BigEndian(address) & Mask) == Bits,
            _ => false,
        };
    }
}
