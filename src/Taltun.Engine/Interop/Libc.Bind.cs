using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    internal static unsafe partial int Bind(FileDescriptor fd, byte* address, int addressLength);
}
