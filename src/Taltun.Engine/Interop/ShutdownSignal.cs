using Taltun.Foundation;

namespace Taltun.Interop;

/// <summary>
/// An eventfd that every I/O loop polls beside its own descriptor: signalling it once wakes all
/// of them for good (it is never read), so no loop needs a timeout to notice shutdown.
/// Thread-safe.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly FileDescriptor _fd;

    public ShutdownSignal()
    {
        int fd = Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (fd < 0)
        {
            throw new TunnelException(TunnelError.System, $"Could not create an eventfd ({Errno.Describe(Errno.Last)}).");
        }

        _fd = new FileDescriptor(fd);
    }

    public bool IsSignalled => Volatile.Read(ref _signalled);

    private bool _signalled;

    public unsafe void Signal()
    {
        Volatile.Write(ref _signalled, true);
        ulong one = 1;
        Libc.Write(_fd, (byte*)&one, sizeof(ulong));
    }

    /// <summary>
    /// Wakes every thread waiting here without shutting down. A poll already asleep keeps
    /// waiting on the file its descriptor had when it began, so after a socket is replaced under
    /// the same number (a new listen port) its waiters must come back and wait again, now on the
    /// new one. The wake is held for <paramref name="hold"/> so that every waiter sees it (each
    /// just finds nothing to read and waits again), then cleared.
    /// </summary>
    public unsafe void Nudge(TimeSpan hold)
    {
        ulong value = 1;
        Libc.Write(_fd, (byte*)&value, sizeof(ulong));
        Thread.Sleep(hold);
        if (!IsSignalled)
        {
            Libc.Read(_fd, (byte*)&value, sizeof(ulong));
        }
    }

    /// <summary>
    /// Blocks until <paramref name="fd"/> is ready for <paramref name="events"/> (POLLIN/POLLOUT)
    /// or shutdown is signalled; returns false on shutdown, true otherwise (also after a
    /// <see cref="Nudge"/>, when <paramref name="fd"/> may not be ready).
    /// </summary>
    public bool Wait(FileDescriptor fd, short events) =>
        Poll(fd, events, null, -1) != Readiness.Shutdown;

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (-1: for ever, 0: not at all) until
    /// <paramref name="first"/> or <paramref name="second"/> (either may be null) is readable, or
    /// shutdown is signalled. Returns which are readable, <see cref="Readiness.None"/> on a timeout,
    /// <see cref="Readiness.Shutdown"/> on shutdown, and <see cref="Readiness.Both"/> after a
    /// <see cref="Nudge"/> (the caller tries both and waits again).
    /// </summary>
    public Readiness WaitReadable(FileDescriptor? first, FileDescriptor? second, int timeoutMilliseconds) =>
        Poll(first, Libc.POLLIN, second, timeoutMilliseconds);

    private unsafe Readiness Poll(FileDescriptor? first, short events, FileDescriptor? second, int timeoutMilliseconds)
    {
        bool addedFirst = false;
        bool addedSecond = false;
        bool addedSelf = false;
        try
        {
            first?.DangerousAddRef(ref addedFirst);
            second?.DangerousAddRef(ref addedSecond);
            _fd.DangerousAddRef(ref addedSelf);
            Libc.PollFd* set = stackalloc Libc.PollFd[3];
            set[0] = new Libc.PollFd { Fd = _fd.Number, Events = Libc.POLLIN };
            // poll skips an entry with a negative descriptor.
            set[1] = new Libc.PollFd { Fd = first?.Number ?? -1, Events = events };
            set[2] = new Libc.PollFd { Fd = second?.Number ?? -1, Events = Libc.POLLIN };
            while (true)
            {
                int ready = Libc.Poll(set, 3, timeoutMilliseconds);
                if (ready < 0 && Errno.Last == Errno.EINTR)
                {
                    continue;
                }

                if (ready < 0)
                {
                    throw new TunnelException(TunnelError.System, $"poll failed ({Errno.Describe(Errno.Last)}).");
                }

                if (set[0].Revents != 0)
                {
                    return IsSignalled ? Readiness.Shutdown : Readiness.Both;
                }

                return (set[1].Revents != 0 ? Readiness.First : Readiness.None) | (set[2].Revents != 0 ? Readiness.Second : Readiness.None);
            }
        }
        finally
        {
            if (addedSelf)
            {
                _fd.DangerousRelease();
            }

            if (addedSecond)
            {
                second!.DangerousRelease();
            }

            if (addedFirst)
            {
                first!.DangerousRelease();
            }
        }
    }

    public void Dispose() => _fd.Dispose();
}

/// <summary>What <see cref="ShutdownSignal.WaitReadable"/> found ready.</summary>
[Flags]
internal enum Readiness
{
    None = 0,
    First = 1,
    Second = 2,
    Both = First | Second,
    Shutdown = 4,
}
