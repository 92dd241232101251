using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    public const int SOL_SOCKET = 1;
    public const int SO_SNDBUF = 7;
    public const int SO_RCVBUF = 8;
    public const int SO_REUSEPORT = 15;
    public const int SO_MARK = 36;
    public const int SO_SNDBUFFORCE = 32;
    public const int SO_RCVBUFFORCE = 33;
    public const int IPPROTO_IPV6 = 41;
    public const int IPV6_V6ONLY = 26;

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    internal static unsafe partial int SetSockOpt(FileDescriptor fd, int level, int name, void* value, int valueLength);

    internal static unsafe int SetSockOpt(FileDescriptor fd, int level, int name, int value) =>
        SetSockOpt(fd, level, name, &value, sizeof(int));
}
