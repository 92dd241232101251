using Taltun.Foundation;

namespace Taltun.Device;

/// <summary>
/// When a packet loop with keep_warm should wake without work: every
/// <see cref="Tuning.KeepWarmIntervalMilliseconds"/> for <see cref="Tuning.KeepWarmWindowMilliseconds"/>
/// after the last packet it carried. A packet that arrives after a pause of a few milliseconds
/// then finds the loop's code, and the kernel's path that wakes it, still in the CPU's caches
/// instead of fetching them again; an idle tunnel does not wake at all. Only packets carried for
/// a peer count: the kernel's own chatter on the interface (IPv6 router solicitations, MLD
/// reports), which is read and dropped, keeps no loop awake.
/// Not thread-safe: its loop's own.
/// </summary>
internal sealed class WarmWindow
{
    private long _carried;
    private long _until = long.MinValue;

    /// <summary>
    /// The timeout for the loop's next wait (in ms; -1 for none), given how many packets the loop
    /// has carried so far and the time now (a monotonic clock in ms).
    /// </summary>
    public int NextTimeout(long carried, long nowMilliseconds)
    {
        if (carried != _carried)
        {
            _carried = carried;
            _until = nowMilliseconds + Tuning.KeepWarmWindowMilliseconds;
        }

        return nowMilliseconds < _until ? Tuning.KeepWarmIntervalMilliseconds : -1;
    }
}
