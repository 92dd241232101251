using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    public const int O_RDWR = 0x2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);
}
