using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    public const short POLLIN = 0x1;
    public const short POLLOUT = 0x4;

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    internal static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);
}
