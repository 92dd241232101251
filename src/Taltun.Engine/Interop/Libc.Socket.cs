using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    public const int AF_INET = 2;
    public const int AF_INET6 = 10;
    public const int AF_NETLINK = 16;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_RAW = 3;
    public const int SOCK_NONBLOCK = 0x800;
    public const int SOCK_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);
}
