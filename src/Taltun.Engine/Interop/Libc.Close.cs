using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}
