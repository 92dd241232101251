using System.Net;
using System.Net.Sockets;
using Taltun.Foundation;
using Taltun.Interop;

namespace Taltun.Transport;

/// <summary>
/// One non-blocking UDP socket of a tunnel's SO_REUSEPORT group: batched receive (recvmmsg) and
/// send (sendmmsg). A wildcard listen address opens a dual-stack IPv6 socket (IPv4 peers appear
/// as ::ffff:a.b.c.d), so one group serves IPv4 and IPv6 peers.
///
/// Thread-safe: one thread receives; any thread may send. After Dispose every call fails with EBADF.
/// </summary>
internal sealed unsafe class UdpSocket : IDisposable
{
    private const int SOL_UDP = 17;
    private const int UDP_SEGMENT = 103;
    private const int UDP_GRO = 104;

    private readonly ShutdownSignal _shutdown;
    private volatile bool _segmentation;
    private volatile int _port;

    private UdpSocket(FileDescriptor fd, bool dualStack, int port, ShutdownSignal shutdown, bool segmentation, bool coalescing)
    {
        Fd = fd;
        DualStack = dualStack;
        _port = port;
        _shutdown = shutdown;
        _segmentation = segmentation;
        ReceiveCoalescing = coalescing;
    }

    public FileDescriptor Fd { get; }

    /// <summary>True for an AF_INET6 socket (sockaddr_in6 everywhere), false for AF_INET.</summary>
    public bool DualStack { get; }

    public int Port => _port;

    /// <summary>True while sends use UDP GSO (UDP_SEGMENT); it turns off for good if the kernel refuses one.</summary>
    public bool Segmentation => _segmentation;

    /// <summary>True if receives may return coalesced datagrams (UDP_GRO), with their segment size.</summary>
    public bool ReceiveCoalescing { get; }

    /// <summary>Raised once when the kernel refuses a segmented send and Taltun falls back to one datagram per message.</summary>
    public event Action<int>? SegmentationRefused;

    /// <summary>
    /// Binds <paramref name="count"/> sockets to <paramref name="local"/> with SO_REUSEPORT, so the
    /// kernel spreads peers (by address hash) across them. Port 0 picks one port for all.
    /// </summary>
    public static UdpSocket[] OpenGroup(IPEndPoint local, int count, ShutdownSignal shutdown, bool offloads = true)
    {
        var sockets = new List<UdpSocket>();
        try
        {
            // Another SO_REUSEPORT socket of the same user would silently share (and steal) our
            // traffic, so first prove the port free with a socket that does not share.
            int port = local.Port;
            if (port != 0)
            {
                Bind(local, reusePort: false, shutdown, offloads: false).Dispose();
            }

            for (int i = 0; i < count; i++)
            {
                UdpSocket socket = Bind(new IPEndPoint(local.Address, port), reusePort: true, shutdown, offloads);
                sockets.Add(socket);
                port = socket.Port;
            }

            return [.. sockets];
        }
        catch
        {
            foreach (UdpSocket socket in sockets)
            {
                socket.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Moves a group of sockets to another port while threads use them (wg set listen-port): a
    /// new group is bound first (so a port in use changes nothing), then each new socket takes
    /// the place of an old one under the same descriptor number, and every thread waiting on the
    /// old ones is woken to wait again (<see cref="ShutdownSignal.Nudge"/>), on the new ones.
    /// </summary>
    public static void MoveGroup(UdpSocket[] group, IPEndPoint local, ShutdownSignal shutdown, bool offloads)
    {
        UdpSocket[] moved = OpenGroup(local, group.Length, shutdown, offloads);
        try
        {
            for (int i = 0; i < group.Length; i++)
            {
                group[i].TakePlaceOf(moved[i]);
            }
        }
        finally
        {
            // Also when a move failed part way: the sockets moved so far are new files too.
            shutdown.Nudge(TimeSpan.FromMilliseconds(50));
            foreach (UdpSocket socket in moved)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>Receives up to a batch; returns how many (0 means none waiting).</summary>
    public int Receive(ReceiveBatch batch, out int errno)
    {
        batch.Prepare();
        int received = Libc.RecvMmsg(Fd, batch.Headers, (uint)batch.Capacity, Libc.MSG_DONTWAIT, null);
        errno = received < 0 ? Errno.Last : 0;
        batch.SetCount(Math.Max(received, 0));
        return Math.Max(received, 0);
    }

    /// <summary>Blocks until datagrams wait or shutdown is signalled (then false).</summary>
    public bool WaitReadable() => _shutdown.Wait(Fd, Libc.POLLIN);

    /// <summary>
    /// Sends every datagram of the batch and clears it; returns how many the kernel refused
    /// (unreachable, too big): those are dropped, and the rest still go. A full socket buffer waits
    /// for room, unless shutdown is signalled. A refused GSO message (EIO: no checksum offload on
    /// the route) turns segmentation off and is sent again datagram by datagram.
    /// </summary>
    public int Send(SendBatch batch)
    {
        int failed = 0;
        int messages = batch.Build(_segmentation);
        int next = 0;
        while (next < messages)
        {
            int sent = Libc.SendMmsg(Fd, batch.Headers + next, (uint)(messages - next), Libc.MSG_DONTWAIT);
            if (sent > 0)
            {
                next += sent;
                continue;
            }

            int errno = Errno.Last;
            if (errno == Errno.EINTR)
            {
                continue;
            }

            if (errno == Errno.EAGAIN)
            {
                if (!_shutdown.Wait(Fd, Libc.POLLOUT))
                {
                    failed += batch.Count - batch.FirstEntry(next);
                    break;
                }

                continue;
            }

            if (_segmentation && batch.EntriesIn(next) > 1 && errno is Errno.EIO or Errno.EINVAL or Errno.EOPNOTSUPP)
            {
                _segmentation = false;
                SegmentationRefused?.Invoke(errno);
                messages = batch.Build(segment: false, batch.FirstEntry(next));
                next = 0;
                continue;
            }

            // The message at 'next' was refused; skip it and keep the rest of the batch.
            failed += batch.EntriesIn(next);
            next++;
        }

        batch.Clear();
        return failed;
    }

    /// <summary>Sends one datagram (handshakes, keepalives from the timer thread); false if refused.</summary>
    public bool SendOne(ReadOnlySpan<byte> datagram, UdpEndpoint endpoint)
    {
        ReadOnlySpan<byte> name = endpoint.SockAddr(DualStack);
        if (name.IsEmpty)
        {
            return false;
        }

        fixed (byte* data = datagram)
        fixed (byte* address = name)
        {
            while (true)
            {
                nint sent = Libc.SendTo(Fd, data, (nuint)datagram.Length, Libc.MSG_DONTWAIT, address, name.Length);
                if (sent >= 0)
                {
                    return true;
                }

                int errno = Errno.Last;
                if (errno == Errno.EINTR)
                {
                    continue;
                }

                if (errno == Errno.EAGAIN && _shutdown.Wait(Fd, Libc.POLLOUT))
                {
                    continue;
                }

                return false;
            }
        }
    }

    public void Dispose() => Fd.Dispose();

    private void TakePlaceOf(UdpSocket replacement)
    {
        // The old socket closes once the last thread polling it lets go (see MoveGroup).
        if (Libc.Dup3(replacement.Fd.Number, Fd.Number, Libc.O_CLOEXEC) < 0)
        {
            throw new TunnelException(TunnelError.System, $"Could not move the tunnel's UDP socket to port {replacement.Port} ({Errno.Describe(Errno.Last)}).");
        }

        _port = replacement.Port;
        _segmentation = replacement._segmentation;
    }

    private static UdpSocket Bind(IPEndPoint local, bool reusePort, ShutdownSignal shutdown, bool offloads)
    {
        bool dualStack = local.AddressFamily == AddressFamily.InterNetworkV6 || local.Address.Equals(IPAddress.Any);
        int raw = Libc.Socket(dualStack ? Libc.AF_INET6 : Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
        if (raw < 0 && dualStack && Errno.Last == Errno.EAFNOSUPPORT && local.Address.Equals(IPAddress.Any))
        {
            // IPv6 is disabled on this host: serve IPv4 only.
            dualStack = false;
            raw = Libc.Socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
        }

        if (raw < 0)
        {
            throw new TunnelException(TunnelError.System, $"Could not open a UDP socket ({Errno.Describe(Errno.Last)}).");
        }

        var fd = new FileDescriptor(raw);
        try
        {
            if (dualStack)
            {
                Libc.SetSockOpt(fd, Libc.IPPROTO_IPV6, Libc.IPV6_V6ONLY, 0);
            }

            if (reusePort && Libc.SetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_REUSEPORT, 1) < 0)
            {
                throw new TunnelException(TunnelError.System, $"Could not set SO_REUSEPORT ({Errno.Describe(Errno.Last)}).");
            }

            SetBuffer(fd, Libc.SO_RCVBUFFORCE, Libc.SO_RCVBUF);
            SetBuffer(fd, Libc.SO_SNDBUFFORCE, Libc.SO_SNDBUF);

            IPAddress address = dualStack ? (local.Address.Equals(IPAddress.Any) ? IPAddress.IPv6Any : local.Address) : local.Address;
            var endpoint = new UdpEndpoint(new IPEndPoint(address, local.Port));
            ReadOnlySpan<byte> name = endpoint.SockAddr(dualStack);
            fixed (byte* bytes = name)
            {
                if (Libc.Bind(fd, bytes, name.Length) < 0)
                {
                    int errno = Errno.Last;
                    throw errno switch
                    {
                        Errno.EADDRINUSE => new TunnelException(TunnelError.PortInUse, $"UDP {local} is already in use ({Errno.Describe(errno)}). Stop the other program or choose another port in local_addr."),
                        Errno.EADDRNOTAVAIL => new TunnelException(TunnelError.AddressUnavailable, $"{local.Address} is not an address of this host ({Errno.Describe(errno)}). Use one of its addresses or 0.0.0.0 in local_addr."),
                        Errno.EACCES => new TunnelException(TunnelError.PermissionDenied, $"Binding UDP {local} was refused ({Errno.Describe(errno)}). Ports below 1024 need root or CAP_NET_BIND_SERVICE."),
                        _ => new TunnelException(TunnelError.System, $"Binding UDP {local} failed ({Errno.Describe(errno)})."),
                    };
                }
            }

            // Offloads where the kernel has them (UDP GSO since 4.18, GRO since 5.0); without, plain datagrams.
            bool segmentation = offloads && Libc.SetSockOpt(fd, SOL_UDP, UDP_SEGMENT, 0) == 0;
            bool coalescing = offloads && Libc.SetSockOpt(fd, SOL_UDP, UDP_GRO, 1) == 0;
            return new UdpSocket(fd, dualStack, LocalPort(fd, dualStack), shutdown, segmentation, coalescing);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    private static void SetBuffer(FileDescriptor fd, int forced, int plain)
    {
        // The FORCE variants pass the system limit (net.core.rmem_max) but need CAP_NET_ADMIN.
        if (Libc.SetSockOpt(fd, Libc.SOL_SOCKET, forced, Tuning.SocketBufferBytes) < 0)
        {
            Libc.SetSockOpt(fd, Libc.SOL_SOCKET, plain, Tuning.SocketBufferBytes);
        }
    }

    private static int LocalPort(FileDescriptor fd, bool dualStack)
    {
        byte* name = stackalloc byte[UdpEndpoint.MaxSockAddrSize];
        int length = UdpEndpoint.MaxSockAddrSize;
        if (Libc.GetSockName(fd, name, &length) < 0)
        {
            throw new TunnelException(TunnelError.System, $"getsockname failed ({Errno.Describe(Errno.Last)}).");
        }

        return (name[2] << 8) | name[3];
    }
}
