using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    public const int MSG_DONTWAIT = 0x40;

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    internal static unsafe partial nint SendTo(FileDescriptor fd, byte* buffer, nuint length, int flags, byte* address, int addressLength);
}
