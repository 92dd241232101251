using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    /// <summary>geteuid(2): the user whose rights this process acts with; it cannot fail.</summary>
    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEuid();
}
