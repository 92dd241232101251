using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    internal const int F_DUPFD_CLOEXEC = 1030;
    internal const int SHUT_RDWR = 2;

    /// <summary>dup3(2): makes <paramref name="newFd"/> refer to what <paramref name="oldFd"/> does, atomically replacing what it referred to.</summary>
    [LibraryImport("libc", EntryPoint = "dup3", SetLastError = true)]
    internal static partial int Dup3(int oldFd, int newFd, int flags);

    /// <summary>fcntl(2) with F_DUPFD_CLOEXEC: a second descriptor for the same socket, not inherited by hooks.</summary>
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int FcntlDup(int fd, int command, int lowest);

    /// <summary>shutdown(2): on a UDP socket it wakes every thread polling it, even unconnected.</summary>
    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    internal static partial int Shutdown(int fd, int how);
}
