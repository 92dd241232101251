using Taltun.Foundation;

namespace Taltun.Device;

/// <summary>
/// How long a packet loop with keep_warm keeps waking: until
/// <see cref="Tuning.KeepWarmWindowMilliseconds"/> after the last packet it carried (see
/// <see cref="KeepWarmTimer"/>). Only packets carried for a peer count: the kernel's own chatter
/// on the interface (IPv6 router solicitations, MLD reports), which is read and dropped, keeps no
/// loop awake. Not thread-safe: its loop's own.
/// </summary>
internal sealed class WarmWindow
{
    private long _carried;
    private long _until = long.MinValue;

    /// <summary>
    /// After a turn of the loop, given how many packets it has carried so far and the time (a
    /// monotonic clock in ms): true when it carried some since the last call, which keeps the
    /// window open (or opens it) until a window's length from now.
    /// </summary>
    public bool Carried(long carried, long nowMilliseconds)
    {
        if (carried == _carried)
        {
            return false;
        }

        _carried = carried;
        _until = nowMilliseconds + Tuning.KeepWarmWindowMilliseconds;
        return true;
    }

    /// <summary>When the timer fires: true while the window is open, false once it has closed (stop the timer).</summary>
    public bool IsOpen(long nowMilliseconds) => nowMilliseconds < _until;
}
