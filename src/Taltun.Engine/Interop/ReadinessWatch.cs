using Taltun.Foundation;

namespace Taltun.Interop;

/// <summary>
/// A packet loop's wait for its descriptors (socket, TUN queue, and with keep_warm its timer) and
/// the shutdown signal, on an epoll set that keeps them registered between waits: each wake costs the kernel one look at a ready list, where
/// a poll would register with, and then leave, three wait queues every time (on this project's
/// 2-vCPU machine that took 0.03 ms off a round trip of pings 10 ms apart: bench/RESULTS.md,
/// "Latency"). Level-triggered: a descriptor is reported for as long as it stays readable.
/// Not thread-safe: its loop's own.
/// </summary>
internal sealed unsafe class ReadinessWatch : IDisposable
{
    private const ulong ShutdownTag = 0;
    private const ulong FirstTag = 1;
    private const ulong SecondTag = 2;
    private const ulong ThirdTag = 3;

    private readonly FileDescriptor _epoll;
    private readonly ShutdownSignal _shutdown;
    private readonly FileDescriptor? _first;
    private readonly FileDescriptor? _second;
    private readonly FileDescriptor? _third;
    private int _generation;

    public ReadinessWatch(ShutdownSignal shutdown, FileDescriptor? first, FileDescriptor? second, FileDescriptor? third = null)
    {
        int fd = Libc.EpollCreate(Libc.EPOLL_CLOEXEC);
        if (fd < 0)
        {
            throw new TunnelException(TunnelError.System, $"Could not create an epoll set ({Errno.Describe(Errno.Last)}).");
        }

        _epoll = new FileDescriptor(fd);
        _shutdown = shutdown;
        _first = first;
        _second = second;
        _third = third;
        Add(shutdown.Descriptor, ShutdownTag);
        _generation = shutdown.Generation;
        Register();
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (-1: for ever, 0: not at all) until
    /// any descriptor is readable or shutdown is signalled. Returns which are readable,
    /// <see cref="Readiness.None"/> on a timeout, <see cref="Readiness.Shutdown"/> on shutdown,
    /// and <see cref="Readiness.Both"/> after a <see cref="ShutdownSignal.Nudge"/> (the caller
    /// tries both and waits again).
    /// </summary>
    public Readiness Wait(int timeoutMilliseconds)
    {
        int generation = _shutdown.Generation;
        if (generation != _generation)
        {
            // A descriptor may name a new file now (a socket replaced under its number), which
            // this set does not watch yet; checked on every wait, not only when a nudge wakes
            // us, since a loop kept busy by full batches may never sleep while the nudge lasts.
            _generation = generation;
            Register();
        }

        Libc.EpollEvent* events = stackalloc Libc.EpollEvent[4];
        while (true)
        {
            int count = Libc.EpollWait(_epoll, events, 4, timeoutMilliseconds);
            if (count < 0 && Errno.Last == Errno.EINTR)
            {
                continue;
            }

            if (count < 0)
            {
                throw new TunnelException(TunnelError.System, $"epoll_wait failed ({Errno.Describe(Errno.Last)}).");
            }

            Readiness ready = Readiness.None;
            for (int i = 0; i < count; i++)
            {
                switch (events[i].Data)
                {
                    case ShutdownTag:
                        // A nudge: the caller tries both and waits again, registering anew.
                        return _shutdown.IsSignalled ? Readiness.Shutdown : Readiness.Both;
                    case FirstTag:
                        ready |= Readiness.First;
                        break;
                    case SecondTag:
                        ready |= Readiness.Second;
                        break;
                    case ThirdTag:
                        ready |= Readiness.Third;
                        break;
                }
            }

            return ready;
        }
    }

    public void Dispose() => _epoll.Dispose();

    private void Register()
    {
        if (_first is not null)
        {
            Add(_first, FirstTag);
        }

        if (_second is not null)
        {
            Add(_second, SecondTag);
        }

        if (_third is not null)
        {
            Add(_third, ThirdTag);
        }
    }

    private void Add(FileDescriptor fd, ulong tag)
    {
        var ev = new Libc.EpollEvent { Events = Libc.EPOLLIN, Data = tag };
        if (Libc.EpollCtl(_epoll, Libc.EPOLL_CTL_ADD, fd.Number, &ev) < 0 && Errno.Last != Errno.EEXIST)
        {
            throw new TunnelException(TunnelError.System, $"epoll_ctl failed ({Errno.Describe(Errno.Last)}).");
        }
    }
}
