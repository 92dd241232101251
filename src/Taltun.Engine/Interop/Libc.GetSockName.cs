using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    internal static unsafe partial int GetSockName(FileDescriptor fd, byte* address, int* addressLength);
}
