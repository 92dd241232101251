using System.Text;
using Taltun.Device;
using Taltun.Interop;

namespace Taltun.Tun;

/// <summary>
/// A Linux TUN interface opened with IFF_TUN|IFF_NO_PI: each read returns one IP packet, each
/// write injects one. The descriptor is non-blocking; loops wait on it through a
/// <see cref="ShutdownSignal"/>. The interface lives as long as this object: Dispose closes the
/// descriptor and the kernel deletes the interface with every address and route on it.
///
/// Thread-safe for one reader and any number of writers (the kernel serialises per packet).
/// </summary>
internal sealed unsafe class TunDevice : IDisposable
{
    public const string DefaultPath = "/dev/net/tun";

    private const nuint TUNSETIFF = 0x400454ca;
    private const short IFF_TUN = 0x0001;
    private const short IFF_NO_PI = 0x1000;
    private const int IfNameSize = 16;
    private const int IfReqSize = 40;

    private TunDevice(FileDescriptor fd, string name)
    {
        Fd = fd;
        Name = name;
    }

    public FileDescriptor Fd { get; }

    /// <summary>The interface name the kernel gave (the requested one).</summary>
    public string Name { get; }

    public static TunDevice Open(string name, string path = DefaultPath)
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
        *(short*)(request + IfNameSize) = IFF_TUN | IFF_NO_PI;
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
        return new TunDevice(fd, Encoding.ASCII.GetString(end < 0 ? kernelName : kernelName[..end]));
    }

    /// <summary>Reads one packet into <paramref name="buffer"/>; its length, or -1 with errno (EAGAIN when none is waiting).</summary>
    public int Read(byte* buffer, int capacity, out int errno)
    {
        nint read = Libc.Read(Fd, buffer, (nuint)capacity);
        errno = read < 0 ? Errno.Last : 0;
        return (int)read;
    }

    /// <summary>Writes one packet; false with errno if the kernel refused it (the caller counts the drop).</summary>
    public bool Write(byte* packet, int length, out int errno)
    {
        nint written = Libc.Write(Fd, packet, (nuint)length);
        errno = written < 0 ? Errno.Last : 0;
        return written == length;
    }

    public void Dispose() => Fd.Dispose();
}
