using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    /// <summary>chown(2); -1 leaves the owner or group as it is.</summary>
    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Chown(string path, int owner, int group);
}
