using Taltun.Foundation;

namespace Taltun.Interop;

/// <summary>
/// An eventfd that every I/O loop waits on beside its own descriptors (<see cref="Wait"/>, or a
/// packet loop's <see cref="ReadinessWatch"/>): signalling it once wakes all of them for good (it
/// is never read), so no loop needs a timeout to notice shutdown.
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

    /// <summary>
    /// How many times descriptors may have moved under their numbers (each <see cref="Nudge"/>):
    /// a waiter that registered them with the kernel (<see cref="ReadinessWatch"/>) registers them
    /// again when this changes, even if it was too busy to be woken by the nudge itself.
    /// </summary>
    public int Generation => Volatile.Read(ref _generation);

    private int _generation;

    /// <summary>The eventfd, for a wait set of its own (<see cref="ReadinessWatch"/>).</summary>
    public FileDescriptor Descriptor => _fd;

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
        Interlocked.Increment(ref _generation);
        ulong value = 1;
        Libc.Write(_fd, (byte*)&value, sizeof(ulong));
        Thread.Sleep(hold);
        if (!IsSignalled)
        {
            Libc.Read(_fd, (byte*)&value, sizeof(ulong));
            if (IsSignalled)
            {
                // A stop came between the check and the read, which cleared its wake: wake again.
                value = 1;
                Libc.Write(_fd, (byte*)&value, sizeof(ulong));
            }
        }
    }

    /// <summary>
    /// Blocks until <paramref name="fd"/> is ready for <paramref name="events"/> (POLLIN/POLLOUT)
    /// or shutdown is signalled; returns false on shutdown, true otherwise (also after a
    /// <see cref="Nudge"/>, when <paramref name="fd"/> may not be ready).
    /// </summary>
    public unsafe bool Wait(FileDescriptor fd, short events)
    {
        bool addedFd = false;
        bool addedSelf = false;
        try
        {
            fd.DangerousAddRef(ref addedFd);
            _fd.DangerousAddRef(ref addedSelf);
            Libc.PollFd* set = stackalloc Libc.PollFd[2];
            set[0] = new Libc.PollFd { Fd = _fd.Number, Events = Libc.POLLIN };
            set[1] = new Libc.PollFd { Fd = fd.Number, Events = events };
            while (true)
            {
                int ready = Libc.Poll(set, 2, -1);
                if (ready < 0 && Errno.Last == Errno.EINTR)
                {
                    continue;
                }

                if (ready < 0)
                {
                    throw new TunnelException(TunnelError.System, $"poll failed ({Errno.Describe(Errno.Last)}).");
                }

                return set[0].Revents == 0 || !IsSignalled;
            }
        }
        finally
        {
            if (addedSelf)
            {
                _fd.DangerousRelease();
            }

            if (addedFd)
            {
                fd.DangerousRelease();
            }
        }
    }

    public void Dispose() => _fd.Dispose();
}
