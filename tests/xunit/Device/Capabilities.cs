using System.Runtime.InteropServices;

namespace Taltun.Tests.Device;

/// <summary>Drops CAP_NET_ADMIN from the calling thread only (capabilities are per thread on Linux), to test running without it as root.</summary>
internal static partial class Capabilities
{
    private const uint LinuxCapabilityVersion3 = 0x20080522;
    private const int CapNetAdmin = 12;

    public static unsafe void DropNetAdminFromThisThread()
    {
        uint* header = stackalloc uint[2] { LinuxCapabilityVersion3, 0 };
        uint* data = stackalloc uint[6];
        if (CapGet(header, data) != 0)
        {
            throw new InvalidOperationException($"capget failed: errno {Marshal.GetLastPInvokeError()}");
        }

        data[0] &= ~(1u << CapNetAdmin);
        if (CapSet(header, data) != 0)
        {
            throw new InvalidOperationException($"capset failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "capget", SetLastError = true)]
    private static unsafe partial int CapGet(uint* header, uint* data);

    [LibraryImport("libc", EntryPoint = "capset", SetLastError = true)]
    private static unsafe partial int CapSet(uint* header, uint* data);
}
