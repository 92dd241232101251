using Taltun.Foundation;
using Taltun.Interop;
using Taltun.Transport;

namespace Taltun.Device;

/// <summary>Marks a tunnel's UDP packets (SO_MARK), as wg-quick's FwMark does, so policy routing can tell them apart.</summary>
internal static class FirewallMark
{
    /// <summary>Sets <paramref name="mark"/> on every socket; 0 leaves them unmarked. Throws <see cref="TunnelException"/> if the kernel refuses.</summary>
    public static void Apply(IEnumerable<UdpSocket> sockets, uint mark)
    {
        if (mark != 0)
        {
            Set(sockets, mark);
        }
    }

    /// <summary>Sets <paramref name="mark"/> on every socket, 0 included (a running tunnel's mark removed).</summary>
    public static void Set(IEnumerable<UdpSocket> sockets, uint mark)
    {
        foreach (UdpSocket socket in sockets)
        {
            if (Libc.SetSockOpt(socket.Fd, Libc.SOL_SOCKET, Libc.SO_MARK, unchecked((int)mark)) != 0)
            {
                int errno = Errno.Last;
                throw new TunnelException(errno == Errno.EPERM ? TunnelError.PermissionDenied : TunnelError.System, $"Setting firewall mark 0x{mark:x} on the tunnel's UDP sockets failed ({Errno.Describe(errno)}); it needs CAP_NET_ADMIN.");
            }
        }
    }
}
