using Taltun.Crypto;
using Taltun.Foundation;
using Taltun.Interop;

namespace Taltun.Device;

/// <summary>
/// keep_warm for one packet loop: a timerfd in the loop's wait set that ticks every millisecond
/// while its <see cref="WarmWindow"/> is open. Each tick that finds the loop idle runs the
/// cipher once on scratch bytes and a turn over both descriptors, so a packet after a pause of a
/// few milliseconds finds that code, and the kernel's path that wakes the loop, still in the
/// CPU's caches instead of fetching them again.
/// The timer is set when the window opens and stopped when it closes, never after each packet:
/// every variant that set a timer (or gave the wait a timeout) after each turn made pings 1 ms
/// apart 0.01–0.02 ms slower, while this one did not (bench/RESULTS.md, "Keeping the loop warm").
/// Not thread-safe: its loop's own.
/// </summary>
internal sealed unsafe class KeepWarmTimer : IDisposable
{
    // About a small packet (a ping, a keystroke): what the cipher does for such packets is what it keeps in cache.
    private const int ScratchPacket = 128;

    private readonly WarmWindow _window = new();
    private readonly byte[] _key = new byte[ChaChaPoly.KeySize];
    private readonly byte[] _scratch = new byte[2 * ScratchPacket];
    private ulong _counter;
    private bool _ticking;

    public KeepWarmTimer()
    {
        int fd = Libc.TimerFdCreate(Libc.CLOCK_MONOTONIC, Libc.TFD_CLOEXEC | Libc.TFD_NONBLOCK);
        if (fd < 0)
        {
            throw new TunnelException(TunnelError.System, $"Could not create a timerfd for keep_warm ({Errno.Describe(Errno.Last)}).");
        }

        Descriptor = new FileDescriptor(fd);
    }

    /// <summary>The timerfd, for the loop's wait set.</summary>
    public FileDescriptor Descriptor { get; }

    /// <summary>After a turn: packets carried since the last one keep the window open, or open it and start the timer.</summary>
    public void AfterTurn(long carried)
    {
        if (_window.Carried(carried, Environment.TickCount64) && !_ticking)
        {
            _ticking = Set(Tuning.KeepWarmIntervalMilliseconds);
        }
    }

    /// <summary>
    /// The timer ticked: true while the window is open (the caller then takes a turn over both of
    /// its descriptors, as a packet's would), after running the cipher once if the loop is
    /// <paramref name="idle"/> (a packet that is waiting should not wait for scratch work); false,
    /// with the timer stopped, once the window has closed.
    /// </summary>
    public bool Ticked(bool idle)
    {
        ulong ticks;
        _ = Libc.Read(Descriptor, (byte*)&ticks, sizeof(ulong));
        if (!_window.IsOpen(Environment.TickCount64))
        {
            _ticking = !Set(0);
            return false;
        }

        if (idle)
        {
            Span<byte> plain = _scratch.AsSpan(0, ScratchPacket - ChaChaPoly.TagSize);
            Span<byte> sealedPacket = _scratch.AsSpan(ScratchPacket, ScratchPacket);
            ChaChaPoly.Seal(_key, ++_counter, plain, default, sealedPacket);
            _ = ChaChaPoly.Open(_key, _counter, sealedPacket, default, plain);
        }

        return true;
    }

    public void Dispose() => Descriptor.Dispose();

    /// <summary>Ticks every <paramref name="milliseconds"/> from that long from now, or with 0 stops; false if the kernel refused.</summary>
    private bool Set(int milliseconds)
    {
        long nanoseconds = milliseconds % 1000 * 1_000_000L;
        var spec = new Libc.TimerSpec
        {
            ValueSeconds = milliseconds / 1000,
            ValueNanoseconds = nanoseconds,
            IntervalSeconds = milliseconds / 1000,
            IntervalNanoseconds = nanoseconds,
        };
        return Libc.TimerFdSetTime(Descriptor, 0, &spec, null) == 0;
    }
}
