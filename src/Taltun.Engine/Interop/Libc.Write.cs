using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    internal static unsafe partial nint Write(FileDescriptor fd, byte* buffer, nuint count);
}
