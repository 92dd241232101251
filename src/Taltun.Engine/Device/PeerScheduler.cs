using System.Collections.Concurrent;
using Taltun.Protocol;

namespace Taltun.Device;

/// <summary>
/// When each peer next needs the control thread: a priority queue of wake times, so the thread
/// sleeps until the earliest and looks only at peers that are due, however many peers there are.
/// A peer has at most one live entry, the time in <see cref="Peer.WakeAt"/>; an entry whose time
/// no longer matches is stale and skipped (changing a priority is a new entry, not a search).
///
/// Thread-safe in two halves: <see cref="Wake"/> is lock-free and may be called from any thread
/// (the data paths call it when a timer appears that the control thread cannot know of); every
/// other member belongs to the control thread.
/// </summary>
internal sealed class PeerScheduler : IPeerScheduler, IDisposable
{
    private readonly ConcurrentQueue<(Peer Peer, long At)> _requests = new();
    private readonly PriorityQueue<Peer, long> _due = new();
    private readonly ManualResetEventSlim _signal = new(false);
    private long _sleepUntil = long.MaxValue;

    /// <summary>Asks for <paramref name="peer"/> at <paramref name="at"/> or earlier; a no-op when it is already due by then.</summary>
    public void Wake(Peer peer, TimeSpan at)
    {
        long ticks = at.Ticks;
        if (ticks >= Volatile.Read(ref peer.WakeAt))
        {
            return;
        }

        _requests.Enqueue((peer, ticks));
        if (ticks < Volatile.Read(ref _sleepUntil))
        {
            _signal.Set();
        }
    }

    /// <summary>Control thread: plans <paramref name="peer"/> for <paramref name="at"/>, or forgets it for now (null).</summary>
    public void Schedule(Peer peer, TimeSpan? at)
    {
        if (at is not { } time)
        {
            Volatile.Write(ref peer.WakeAt, long.MaxValue);
            return;
        }

        Volatile.Write(ref peer.WakeAt, time.Ticks);
        _due.Enqueue(peer, time.Ticks);
    }

    /// <summary>Control thread: the next peer due at <paramref name="now"/>, taking requests made meanwhile into account.</summary>
    public bool TryTakeDue(TimeSpan now, out Peer peer)
    {
        TakeRequests();
        while (_due.TryPeek(out peer!, out long at))
        {
            if (at != Volatile.Read(ref peer.WakeAt))
            {
                _due.Dequeue();
                continue;
            }

            if (at > now.Ticks)
            {
                return false;
            }

            _due.Dequeue();
            Volatile.Write(ref peer.WakeAt, long.MaxValue);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Control thread: sleeps until the earliest planned wake (at most <paramref name="limit"/>), a
    /// request for an earlier one, or <paramref name="stopping"/>. <paramref name="now"/> is the
    /// core's clock, on which wake times are planned.
    /// </summary>
    public void Sleep(TimeSpan now, TimeSpan limit, CancellationToken stopping)
    {
        long next = long.MaxValue;
        while (_due.TryPeek(out Peer? peer, out long at))
        {
            if (at == Volatile.Read(ref peer.WakeAt))
            {
                next = at;
                break;
            }

            _due.Dequeue();
        }

        _signal.Reset();

        // A full fence: the request check below must not be read before this store is seen.
        Interlocked.Exchange(ref _sleepUntil, next);
        try
        {
            // A request made between the last look and publishing the sleep time set no signal.
            if (_requests.IsEmpty)
            {
                TimeSpan wait = next == long.MaxValue ? limit : TimeSpan.FromTicks(Math.Clamp(next - now.Ticks, 0, limit.Ticks));

                // The event waits whole milliseconds: a shorter wait would not sleep at all.
                wait = TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds));
                _signal.Wait(wait, stopping);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: the caller sees it.
        }
        finally
        {
            Volatile.Write(ref _sleepUntil, long.MinValue);
        }
    }

    /// <summary>Peers waiting for a look (for status and tests).</summary>
    public int Planned => _due.Count;

    public void Dispose() => _signal.Dispose();

    private void TakeRequests()
    {
        while (_requests.TryDequeue(out (Peer Peer, long At) request))
        {
            if (request.At < Volatile.Read(ref request.Peer.WakeAt))
            {
                Volatile.Write(ref request.Peer.WakeAt, request.At);
                _due.Enqueue(request.Peer, request.At);
            }
        }
    }
}
