using System.Runtime.InteropServices;

namespace Taltun.Interop;

internal static partial class Libc
{
    public const int CLOCK_MONOTONIC = 1;
    public const int TFD_CLOEXEC = 0x80000;
    public const int TFD_NONBLOCK = 0x800;

    /// <summary>struct itimerspec on x86-64: the period, then the first expiry (each seconds, nanoseconds).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TimerSpec
    {
        public long IntervalSeconds;
        public long IntervalNanoseconds;
        public long ValueSeconds;
        public long ValueNanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "timerfd_create", SetLastError = true)]
    internal static partial int TimerFdCreate(int clock, int flags);

    [LibraryImport("libc", EntryPoint = "timerfd_settime", SetLastError = true)]
    internal static unsafe partial int TimerFdSetTime(FileDescriptor fd, int flags, TimerSpec* value, TimerSpec* old);
}
