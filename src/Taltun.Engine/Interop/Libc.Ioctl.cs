using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    internal static unsafe partial int Ioctl(FileDescriptor fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int Ioctl(FileDescriptor fd, nuint request, nuint argument);
}
