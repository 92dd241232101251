using System.Text;
using Taltun.Foundation;
using Taltun.Interop;

namespace Taltun.Tun;

/// <summary>
/// A Linux TUN interface opened with IFF_TUN|IFF_NO_PI: each read returns one IP packet (with
/// offloads, possibly a 64 KB super-packet behind a virtio header), each write injects one. With
/// several queues (IFF_MULTI_QUEUE) the kernel spreads outgoing flows over them by flow hash, one
/// reader per queue. Descriptors are non-blocking; loops wait on them through a
/// <see cref="ShutdownSignal"/>. The interface lives as long as this object: Dispose closes the
/// descriptors and the kernel deletes the interface with every address and route on it.
///
/// Thread-safe for one reader per queue and any number of writers (the kernel serialises per packet).
/// </summary>
internal sealed unsafe class TunDevice : IDisposable
{
    public const string DefaultPath = "/dev/net/tun";

    private const nuint TUNSETIFF = 0x400454ca;
    private const nuint TUNSETOFFLOAD = 0x400454d0;
    private const short IFF_TUN = 0x0001;
    private const short IFF_MULTI_QUEUE = 0x0100;
    private const short IFF_NO_PI = 0x1000;
    private const short IFF_VNET_HDR = 0x4000;
    private const uint TUN_F_CSUM = 0x01;
    private const uint TUN_F_TSO4 = 0x02;
    private const uint TUN_F_TSO6 = 0x04;
    private const uint TUN_F_USO4 = 0x20;
    private const uint TUN_F_USO6 = 0x40;
    private const int IfNameSize = 16;
    private const int IfReqSize = 40;

    private readonly FileDescriptor[] _queues;

    private TunDevice(FileDescriptor[] queues, string name, string? offloads)
    {
        _queues = queues;
        Name = name;
        Offloads = offloads;
    }

    /// <summary>One descriptor per queue; each has its own reader.</summary>
    public IReadOnlyList<FileDescriptor> Queues => _queues;

    /// <summary>The interface name the kernel gave (the requested one).</summary>
    public string Name { get; }

    /// <summary>
    /// Null for a plain device; otherwise the offloads the kernel accepted ("csum tso4 tso6 uso4
    /// uso6"), and every read and write carries a <see cref="Offload.VirtioNetHeader"/>.
    /// </summary>
    public string? Offloads { get; }

    /// <summary>True when reads may be super-packets and writes need a virtio header.</summary>
    public bool HasVirtioHeader => Offloads is not null;

    /// <summary>
    /// Creates the interface with <paramref name="queues"/> queues. With <paramref name="offloads"/>,
    /// asks for TCP (and where the kernel has it, UDP) segmentation offload; a kernel that refuses
    /// gets a plain device instead.
    /// </summary>
    public static TunDevice Open(string name, string path = DefaultPath, bool offloads = false, int queues = 1)
    {
        short flags = (short)(IFF_TUN | IFF_NO_PI | (queues > 1 ? IFF_MULTI_QUEUE : 0));
        return (offloads ? TryOpen(name, path, (short)(flags | IFF_VNET_HDR), queues, withOffloads: true) : null)
            ?? TryOpen(name, path, flags, queues, withOffloads: false)!;
    }

    /// <summary>Attaches every queue; with offloads, null (and nothing left open) if the kernel refuses them.</summary>
    private static TunDevice? TryOpen(string name, string path, short flags, int queues, bool withOffloads)
    {
        var opened = new List<FileDescriptor>();
        string kernelName = name;
        string? accepted = null;
        try
        {
            for (int i = 0; i < queues; i++)
            {
                (FileDescriptor fd, kernelName) = Attach(kernelName, path, flags);
                opened.Add(fd);
                if (withOffloads && (accepted = SetOffloads(fd)) is null)
                {
                    opened.ForEach(queue => queue.Dispose());
                    return null;
                }
            }
        }
        catch
        {
            opened.ForEach(queue => queue.Dispose());
            throw;
        }

        return new TunDevice([.. opened], kernelName, accepted);
    }

    /// <summary>The offloads the kernel accepted on this queue, trying UDP segmentation too first; null if none.</summary>
    private static string? SetOffloads(FileDescriptor fd)
    {
        foreach ((uint flags, string names) in (ReadOnlySpan<(uint, string)>)[
            (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6, "csum tso4 tso6 uso4 uso6"),
            (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6, "csum tso4 tso6")])
        {
            if (Libc.Ioctl(fd, TUNSETOFFLOAD, flags) == 0)
            {
                return names;
            }
        }

        return null;
    }

    private static (FileDescriptor Fd, string Name) Attach(string name, string path, short flags)
    {
        int raw = Libc.Open(path, Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        if (raw < 0)
        {
            int errno = Errno.Last;
            throw errno switch
            {
                Errno.ENOENT or Errno.ENODEV => new TunnelException(TunnelError.TunUnavailable, $"{path} does not exist ({Errno.Describe(errno)}). Load the tun module (modprobe tun) or, in a container, pass the device through (--device /dev/net/tun)."),
                Errno.EPERM or Errno.EACCES => new TunnelException(TunnelError.PermissionDenied, $"Opening {path} was refused ({Errno.Describe(errno)}). Run as root or grant CAP_NET_ADMIN."),
                _ => new TunnelException(TunnelError.TunUnavailable, $"Opening {path} failed ({Errno.Describe(errno)})."),
            };
        }

        var fd = new FileDescriptor(raw);
        byte* request = stackalloc byte[IfReqSize];
        new Span<byte>(request, IfReqSize).Clear();
        Encoding.ASCII.GetBytes(name, new Span<byte>(request, IfNameSize - 1));
        *(short*)(request + IfNameSize) = flags;
        if (Libc.Ioctl(fd, TUNSETIFF, request) < 0)
        {
            int errno = Errno.Last;
            fd.Dispose();
            throw errno switch
            {
                Errno.EPERM or Errno.EACCES => new TunnelException(TunnelError.PermissionDenied, $"Creating TUN interface '{name}' needs root or CAP_NET_ADMIN ({Errno.Describe(errno)})."),
                Errno.EBUSY or Errno.EEXIST or Errno.EINVAL => new TunnelException(TunnelError.InterfaceExists, $"Interface '{name}' already exists or is in use ({Errno.Describe(errno)}). Choose another tun_name or remove the interface."),
                _ => new TunnelException(TunnelError.TunUnavailable, $"Creating TUN interface '{name}' failed ({Errno.Describe(errno)})."),
            };
        }

        var kernelName = new ReadOnlySpan<byte>(request, IfNameSize);
        int end = kernelName.IndexOf((byte)0);
        return (fd, Encoding.ASCII.GetString(end < 0 ? kernelName : kernelName[..end]));
    }

    /// <summary>Reads one packet from <paramref name="queue"/> into <paramref name="buffer"/>; its length, or -1 with errno (EAGAIN when none is waiting).</summary>
    public int Read(int queue, byte* buffer, int capacity, out int errno)
    {
        nint read = Libc.Read(_queues[queue], buffer, (nuint)capacity);
        errno = read < 0 ? Errno.Last : 0;
        return (int)read;
    }

    /// <summary>
    /// Writes one packet through <paramref name="queue"/> (one of <see cref="Queues"/>); false with
    /// errno if the kernel refused it (the caller counts the drop). With several queues the kernel
    /// sends the packets of the same flow that leave the interface to the queue that wrote last.
    /// </summary>
    public bool Write(int queue, byte* packet, int length, out int errno)
    {
        nint written = Libc.Write(_queues[queue], packet, (nuint)length);
        errno = written < 0 ? Errno.Last : 0;
        return written == length;
    }

    public void Dispose()
    {
        foreach (FileDescriptor queue in _queues)
        {
            queue.Dispose();
        }
    }
}
