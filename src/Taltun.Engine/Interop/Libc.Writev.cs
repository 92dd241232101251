using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "writev", SetLastError = true)]
    internal static unsafe partial nint Writev(FileDescriptor fd, IoVec* iov, int count);
}
