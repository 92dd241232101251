using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    internal static partial int EventFd(uint initialValue, int flags);
}
