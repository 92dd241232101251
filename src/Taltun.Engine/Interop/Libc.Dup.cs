using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    /// <summary>dup3(2): makes <paramref name="newFd"/> refer to what <paramref name="oldFd"/> does, atomically replacing what it referred to.</summary>
    [LibraryImport("libc", EntryPoint = "dup3", SetLastError = true)]
    internal static partial int Dup3(int oldFd, int newFd, int flags);
}
