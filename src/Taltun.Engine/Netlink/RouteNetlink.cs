using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Taltun.Foundation;
using Taltun.Interop;

namespace Taltun.Netlink;

/// <summary>
/// rtnetlink (NETLINK_ROUTE) requests Taltun needs: look up a link, set its MTU and state, add and
/// delete addresses and routes. Each request waits for the kernel's acknowledgement; a refusal
/// becomes a <see cref="TunnelException"/> naming the errno and the object (an interface by its
/// name). The socket belongs to the network namespace of the thread that opened it, and so do all
/// changes made through it. Every route and address it adds carries <see cref="TaltunProtocol"/>.
///
/// Thread-safe: requests are serialised on the socket.
/// </summary>
internal sealed unsafe class RouteNetlink : IDisposable
{
    private const int NETLINK_ROUTE = 0;
    private const ushort NLMSG_ERROR = 2;
    private const ushort NLMSG_DONE = 3;
    private const ushort RTM_NEWLINK = 16;
    private const ushort RTM_GETLINK = 18;
    private const ushort RTM_NEWADDR = 20;
    private const ushort RTM_DELADDR = 21;
    private const ushort RTM_NEWROUTE = 24;
    private const ushort RTM_DELROUTE = 25;
    private const ushort RTM_GETROUTE = 26;
    private const ushort RTA_GATEWAY = 5;
    private const ushort IFLA_IFNAME = 3;
    private const ushort IFLA_MTU = 4;
    private const ushort IFA_ADDRESS = 1;
    private const ushort IFA_LOCAL = 2;
    private const ushort IFA_FLAGS = 8;
    private const ushort IFA_PROTO = 11;
    private const uint IFA_F_NODAD = 0x02;
    private const ushort RTA_DST = 1;
    private const ushort RTA_OIF = 4;
    private const ushort RTA_PRIORITY = 6;
    private const byte RT_TABLE_MAIN = 254;
    private const byte RT_SCOPE_UNIVERSE = 0;
    private const byte RT_SCOPE_LINK = 253;
    private const byte RTN_UNICAST = 1;
    private const uint IFF_UP = 0x1;

    /// <summary>
    /// The rtm_protocol (and, since Linux 6.3, ifa_proto) of everything Taltun adds: 84, 'T'. The
    /// kernel keeps values above RTPROT_STATIC as given without reading them, and 84 is in neither
    /// the kernel's RTPROT_ list nor iproute2's rt_protos, so <c>ip route show proto 84</c> lists
    /// exactly Taltun's routes. A delete carrying it matches only routes that carry it, so Taltun
    /// cannot remove a route with the same destination that someone else added.
    /// </summary>
    public const byte TaltunProtocol = 84;

    private readonly FileDescriptor _fd;
    private readonly byte[] _receiveBuffer = new byte[16384];
    private readonly Lock _lock = new();
    private uint _sequence;

    private RouteNetlink(FileDescriptor fd) => _fd = fd;

    public static RouteNetlink Open()
    {
        int raw = Libc.Socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, NETLINK_ROUTE);
        if (raw < 0)
        {
            throw new TunnelException(TunnelError.System, $"Could not open a netlink socket ({Errno.Describe(Errno.Last)}).");
        }

        var fd = new FileDescriptor(raw);
        byte* address = stackalloc byte[12];
        new Span<byte>(address, 12).Clear();
        *(ushort*)address = Libc.AF_NETLINK;
        if (Libc.Bind(fd, address, 12) < 0)
        {
            int errno = Errno.Last;
            fd.Dispose();
            throw new TunnelException(TunnelError.System, $"Could not bind a netlink socket ({Errno.Describe(errno)}).");
        }

        return new RouteNetlink(fd);
    }

    /// <summary>The index of the interface called <paramref name="name"/>, or 0 if there is none.</summary>
    public int LinkIndex(string name)
    {
        var message = new NetlinkMessage(RTM_GETLINK, NetlinkMessage.Request)
            .Bytes(LinkHeader(0, 0, 0))
            .Attribute(IFLA_IFNAME, name);
        int index = 0;
        int errno = Transact(message, reply =>
        {
            if (BinaryPrimitives.ReadUInt16LittleEndian(reply[4..]) == RTM_NEWLINK)
            {
                index = BinaryPrimitives.ReadInt32LittleEndian(reply[(NetlinkMessage.HeaderSize + 4)..]);
            }
        });
        return errno == 0 ? index : errno == Errno.ENODEV ? 0 : throw Failure(errno, $"looking up interface '{name}'");
    }

    public void SetMtu(int index, string name, int mtu)
    {
        var message = new NetlinkMessage(RTM_NEWLINK, NetlinkMessage.Request | NetlinkMessage.Ack)
            .Bytes(LinkHeader(index, 0, 0))
            .Attribute(IFLA_MTU, (uint)mtu);
        Check(Transact(message), $"setting MTU {mtu} on '{name}'");
    }

    public void SetUp(int index, string name)
    {
        var message = new NetlinkMessage(RTM_NEWLINK, NetlinkMessage.Request | NetlinkMessage.Ack)
            .Bytes(LinkHeader(index, IFF_UP, IFF_UP));
        Check(Transact(message), $"bringing '{name}' up");
    }

    public void AddAddress(int index, string name, IPNetwork address, IPAddress host) =>
        Check(Transact(AddressMessage(RTM_NEWADDR, NetlinkMessage.Create | NetlinkMessage.Exclusive, index, address, host)), $"adding address {host}/{address.PrefixLength} to '{name}'");

    /// <summary>Deletes an address; true if it was there.</summary>
    public bool DeleteAddress(int index, string name, IPNetwork address, IPAddress host) =>
        Absent(Transact(AddressMessage(RTM_DELADDR, 0, index, address, host)), $"deleting address {host}/{address.PrefixLength} from '{name}'");

    public void AddRoute(int index, IPNetwork destination, IPAddress? gateway = null)
    {
        if (!AddRouteIfAbsent(index, destination, gateway))
        {
            throw Failure(Errno.EEXIST, $"adding {DescribeRoute(index, destination, gateway)}");
        }
    }

    /// <summary>Adds a route unless one to the same destination (same metric) is there already, whoever added it; false then, and nothing changes.</summary>
    public bool AddRouteIfAbsent(int index, IPNetwork destination, IPAddress? gateway = null)
    {
        int errno = Transact(RouteMessage(RTM_NEWROUTE, NetlinkMessage.Create | NetlinkMessage.Exclusive, index, destination, gateway));
        return errno switch
        {
            0 => true,
            Errno.EEXIST => false,
            _ => throw Failure(errno, $"adding {DescribeRoute(index, destination, gateway)}"),
        };
    }

    /// <summary>Deletes a route Taltun added (one carrying <see cref="TaltunProtocol"/>); true if it was there.</summary>
    public bool DeleteRoute(int index, IPNetwork destination, IPAddress? gateway = null)
    {
        int errno = Transact(RouteMessage(RTM_DELROUTE, 0, index, destination, gateway));
        return IsGone(errno) ? errno == 0 : throw Failure(errno, $"deleting {DescribeRoute(index, destination, gateway)}");
    }

    /// <summary>The name of the interface with index <paramref name="index"/>, or null if there is none.</summary>
    public string? LinkName(int index)
    {
        var message = new NetlinkMessage(RTM_GETLINK, NetlinkMessage.Request)
            .Bytes(LinkHeader(index, 0, 0));
        string? name = null;
        int errno = Transact(message, reply =>
        {
            if (BinaryPrimitives.ReadUInt16LittleEndian(reply[4..]) == RTM_NEWLINK
                && Attribute(reply[(NetlinkMessage.HeaderSize + 16)..], IFLA_IFNAME) is { Length: > 0 } value)
            {
                name = Encoding.ASCII.GetString(value).TrimEnd('\0');
            }
        });
        return errno == 0 ? name : null;
    }

    /// <summary>How messages name the interface with index <paramref name="index"/>: its name, or that it no longer exists.</summary>
    public string DescribeLink(int index) => LinkName(index) is { } name
        ? $"'{name}'"
        : $"index {index} (no interface has that index now)";

    /// <summary>The kernel's route to <paramref name="address"/> now (interface index and gateway, if any), or null if it has none.</summary>
    public (int Index, IPAddress? Gateway)? RouteTo(IPAddress address)
    {
        bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        var header = new byte[12];
        header[0] = (byte)(v6 ? Libc.AF_INET6 : Libc.AF_INET);
        header[1] = (byte)(v6 ? 128 : 32);
        var message = new NetlinkMessage(RTM_GETROUTE, NetlinkMessage.Request)
            .Bytes(header)
            .Attribute(RTA_DST, address.GetAddressBytes());
        int index = 0;
        IPAddress? gateway = null;
        int errno = Transact(message, reply =>
        {
            if (BinaryPrimitives.ReadUInt16LittleEndian(reply[4..]) != RTM_NEWROUTE)
            {
                return;
            }

            ReadOnlySpan<byte> attributes = reply[(NetlinkMessage.HeaderSize + 12)..];
            if (Attribute(attributes, RTA_OIF) is { Length: >= 4 } oif)
            {
                index = BinaryPrimitives.ReadInt32LittleEndian(oif);
            }

            if (Attribute(attributes, RTA_GATEWAY) is { Length: 4 or 16 } via)
            {
                gateway = new IPAddress(via);
            }
        });
        return errno == 0 && index != 0 ? (index, gateway) : null;
    }

    public void Dispose() => _fd.Dispose();

    /// <summary>The value of the first attribute of <paramref name="type"/> in a reply's attributes, or null.</summary>
    private static byte[]? Attribute(ReadOnlySpan<byte> attributes, ushort type)
    {
        while (attributes.Length >= 4)
        {
            int length = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
            if (length < 4 || length > attributes.Length)
            {
                return null;
            }

            if (BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]) == type)
            {
                return attributes[4..length].ToArray();
            }

            attributes = attributes[Math.Min(attributes.Length, NetlinkMessage.Align(length))..];
        }

        return null;
    }

    private static byte[] LinkHeader(int index, uint flags, uint change)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), index);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), change);
        return header;
    }

    internal static NetlinkMessage AddressMessage(ushort type, ushort flags, int index, IPNetwork address, IPAddress host)
    {
        bool v6 = host.AddressFamily == AddressFamily.InterNetworkV6;
        var header = new byte[8];
        header[0] = (byte)(v6 ? Libc.AF_INET6 : Libc.AF_INET);
        header[1] = (byte)address.PrefixLength;
        header[3] = RT_SCOPE_UNIVERSE;
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), index);
        byte[] bytes = host.GetAddressBytes();
        var message = new NetlinkMessage(type, (ushort)(NetlinkMessage.Request | NetlinkMessage.Ack | flags))
            .Bytes(header)
            .Attribute(IFA_LOCAL, bytes)
            .Attribute(IFA_ADDRESS, bytes)
            // Kernels before 6.3 skip it: their address requests ignore attribute types they do not know.
            .Attribute(IFA_PROTO, [TaltunProtocol]);
        return v6 ? message.Attribute(IFA_FLAGS, IFA_F_NODAD) : message;
    }

    /// <summary>"route DESTINATION [via GATEWAY] dev 'NAME'", the interface looked up now: only a failure is described, so a hub's thousands of routes cost no lookups.</summary>
    private string DescribeRoute(int index, IPNetwork destination, IPAddress? gateway) =>
        $"route {destination}{(gateway is null ? string.Empty : $" via {gateway}")} dev {DescribeLink(index)}";

    internal static NetlinkMessage RouteMessage(ushort type, ushort flags, int index, IPNetwork destination, IPAddress? gateway)
    {
        bool v6 = destination.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
        var header = new byte[12];
        header[0] = (byte)(v6 ? Libc.AF_INET6 : Libc.AF_INET);
        header[1] = (byte)destination.PrefixLength;
        header[4] = RT_TABLE_MAIN;
        header[5] = TaltunProtocol;
        header[6] = gateway is null ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
        header[7] = RTN_UNICAST;
        var message = new NetlinkMessage(type, (ushort)(NetlinkMessage.Request | NetlinkMessage.Ack | flags))
            .Bytes(header)
            .Attribute(RTA_DST, destination.BaseAddress.GetAddressBytes())
            .Attribute(RTA_OIF, (uint)index);
        if (gateway is not null)
        {
            message.Attribute(RTA_GATEWAY, gateway.GetAddressBytes());
        }

        // IPv6 routes default to metric 1024; ask for it explicitly so delete matches what was added.
        return v6 ? message.Attribute(RTA_PRIORITY, 1024u) : message;
    }

    /// <summary>Sends one request and reads until its acknowledgement; returns the errno the kernel answered (0 for success).</summary>
    private int Transact(NetlinkMessage message, Action<ReadOnlySpan<byte>>? onReply = null)
    {
        lock (_lock)
        {
            uint sequence = ++_sequence;
            ReadOnlySpan<byte> request = message.Finish(sequence);
            fixed (byte* bytes = request)
            {
                byte* kernel = stackalloc byte[12];
                new Span<byte>(kernel, 12).Clear();
                *(ushort*)kernel = Libc.AF_NETLINK;
                if (Libc.SendTo(_fd, bytes, (nuint)request.Length, 0, kernel, 12) < 0)
                {
                    return Errno.Last;
                }
            }

            while (true)
            {
                nint received;
                fixed (byte* buffer = _receiveBuffer)
                {
                    received = Libc.Recv(_fd, buffer, (nuint)_receiveBuffer.Length, 0);
                }

                if (received < 0)
                {
                    if (Errno.Last == Errno.EINTR)
                    {
                        continue;
                    }

                    return Errno.Last;
                }

                var data = new ReadOnlySpan<byte>(_receiveBuffer, 0, (int)received);
                while (data.Length >= NetlinkMessage.HeaderSize)
                {
                    int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(data);
                    ushort type = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
                    uint replySequence = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
                    if (length < NetlinkMessage.HeaderSize || length > data.Length)
                    {
                        break;
                    }

                    if (replySequence == sequence)
                    {
                        if (type == NLMSG_ERROR)
                        {
                            return -BinaryPrimitives.ReadInt32LittleEndian(data[NetlinkMessage.HeaderSize..]);
                        }

                        if (type == NLMSG_DONE)
                        {
                            return 0;
                        }

                        if (onReply is not null)
                        {
                            // A GET without NLM_F_ACK is answered by exactly one reply.
                            onReply(data[..length]);
                            return 0;
                        }
                    }

                    data = data[Math.Min(data.Length, NetlinkMessage.Align(length))..];
                }
            }
        }
    }

    private static void Check(int errno, string what)
    {
        if (errno != 0)
        {
            throw Failure(errno, what);
        }
    }

    private static bool Absent(int errno, string what) => IsGone(errno) ? errno == 0 : throw Failure(errno, what);

    /// <summary>True if, after this answer to a delete, the object is gone: deleted now (0), or it was not there.</summary>
    private static bool IsGone(int errno) => errno is 0 or Errno.ENOENT or Errno.ESRCH or Errno.EADDRNOTAVAIL or Errno.ENODEV;

    private static TunnelException Failure(int errno, string what) => errno is Errno.EPERM or Errno.EACCES
        ? new TunnelException(TunnelError.PermissionDenied, $"Netlink refused {what} ({Errno.Describe(errno)}). Run as root or grant CAP_NET_ADMIN.")
        : new TunnelException(TunnelError.Netlink, $"Netlink refused {what} ({Errno.Describe(errno)}).");
}
