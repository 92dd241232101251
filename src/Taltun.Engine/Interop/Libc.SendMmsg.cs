using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    internal static unsafe partial int SendMmsg(FileDescriptor fd, MMsgHdr* messages, uint count, int flags);
}
