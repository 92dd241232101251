using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    internal static unsafe partial nint Recv(FileDescriptor fd, byte* buffer, nuint length, int flags);
}
