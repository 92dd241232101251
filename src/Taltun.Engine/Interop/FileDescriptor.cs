using System.Runtime.InteropServices;

namespace Taltun.Interop;

/// <summary>
/// Owns one Linux file descriptor (TUN device, socket, eventfd) and closes it exactly once.
/// Thread-safe as SafeHandle is: a call in progress keeps the descriptor alive until it returns.
/// </summary>
internal sealed class FileDescriptor : SafeHandle
{
    public FileDescriptor()
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
    }

    public FileDescriptor(int fd)
        : this()
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle == -1;

    /// <summary>The raw number, for poll sets; only valid while this handle is alive.</summary>
    public int Number => (int)handle;

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
