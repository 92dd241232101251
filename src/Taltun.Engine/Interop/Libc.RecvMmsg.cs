using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    /// <summary>struct iovec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr (x86-64/arm64 layout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct MsgHdr
    {
        public byte* Name;
        public int NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct mmsghdr: one datagram of a batch and, after the call, its length.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    internal static unsafe partial int RecvMmsg(FileDescriptor fd, MMsgHdr* messages, uint count, int flags, void* timeout);
}
