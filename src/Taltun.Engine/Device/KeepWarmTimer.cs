using Taltun.Crypto;
using Taltun.Foundation;
using Taltun.Interop;

namespace Taltun.Device;

/// <summary>
/// keep_warm for one packet loop: a timerfd in the loop's wait set, started again after every
/// turn that carried packets (first expiry 2 ms later, then every millisecond) and stopped when
/// its <see cref="WarmWindow"/> closes. A packet after a pause of a few milliseconds then finds
/// the loop's code, the cipher's and the kernel's path that wakes the loop still in the CPU's
/// caches instead of fetching them again.
/// A timerfd rather than a timeout on the wait itself: a timeout is armed by every wait and
/// cancelled by the packet that ends it, and cancelling the earliest timer reprograms the CPU's
/// timer, which on a VM is an exit to the hypervisor on every packet's way
/// (bench/RESULTS.md, "Keeping the loop warm"). Here the timer is set after the turn's packets
/// have left. Not thread-safe: its loop's own.
/// </summary>
internal sealed unsafe class KeepWarmTimer : IDisposable
{
    private readonly WarmWindow _window = new();
    private readonly byte[] _key = new byte[ChaChaPoly.KeySize];
    private readonly byte[] _scratch = new byte[2 * ScratchPacket];
    private ulong _counter;

    // About a small packet (a ping, a keystroke): what the cipher does for such packets is what it keeps in cache.
    private const int ScratchPacket = 128;

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

    /// <summary>After a turn: packets carried since the last one start the timer again.</summary>
    public void AfterTurn(long carried)
    {
        if (_window.Carried(carried, Environment.TickCount64))
        {
            Set(Tuning.KeepWarmFirstWakeMilliseconds, Tuning.KeepWarmIntervalMilliseconds);
        }
    }

    /// <summary>
    /// The timer fired: true while the window is open, after running the cipher once on scratch
    /// bytes (the caller then looks at both of its descriptors, as a packet's turn would); false,
    /// with the timer stopped, once it has closed.
    /// </summary>
    public bool Fired()
    {
        ulong expirations;
        _ = Libc.Read(Descriptor, (byte*)&expirations, sizeof(ulong));
        if (!_window.IsOpen(Environment.TickCount64))
        {
            Set(0, 0);
            return false;
        }

        Span<byte> plain = _scratch.AsSpan(0, ScratchPacket - ChaChaPoly.TagSize);
        Span<byte> sealedPacket = _scratch.AsSpan(ScratchPacket, ScratchPacket);
        ChaChaPoly.Seal(_key, ++_counter, plain, default, sealedPacket);
        _ = ChaChaPoly.Open(_key, _counter, sealedPacket, default, plain);
        return true;
    }

    public void Dispose() => Descriptor.Dispose();

    private void Set(int firstMilliseconds, int intervalMilliseconds)
    {
        var spec = new Libc.TimerSpec
        {
            ValueNanoseconds = firstMilliseconds * 1_000_000L,
            IntervalNanoseconds = intervalMilliseconds * 1_000_000L,
        };
        _ = Libc.TimerFdSetTime(Descriptor, 0, &spec, null);
    }
}
