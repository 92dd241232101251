using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    /// <summary>Fail with EEXIST instead of replacing the target.</summary>
    public const uint RENAME_NOREPLACE = 1;

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int RenameAt2(int oldDirectory, string oldPath, int newDirectory, string newPath, uint flags);
}
