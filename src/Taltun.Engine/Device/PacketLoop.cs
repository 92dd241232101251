using Taltun.Interop;

namespace Taltun.Device;

/// <summary>
/// One data-plane thread: it serves a UDP socket of the group (<see cref="InboundPath"/>) and a
/// TUN queue (<see cref="OutboundPath"/>) together, one batch of each per turn:
///   1. receive from the socket: decrypt, and write what is for this host to the loop's own TUN
///      queue. A reply the kernel makes at once (an echo reply, a TCP ACK or RST) is in that queue
///      before the write returns: the kernel sends a flow's packets to the queue that wrote its
///      previous packet (it learns the queue after handling each write, so from a flow's second
///      packet on);
///   2. read the TUN queue: encrypt and send — so that reply leaves on this thread, with no
///      wake-up of another;
///   3. while a batch came back full, turn again; once both are drained, sleep in one wait on
///      both (and the shutdown eventfd), and on waking serve only what is ready. With keep_warm
///      a timer wakes it every millisecond for a second after its last packet (<see cref="KeepWarmTimer"/>).
/// A peer's datagrams all reach one socket of the group (the kernel hashes the source), so each
/// peer's traffic, both ways, stays on one loop. Not thread-safe: one thread runs <see cref="Run"/>.
/// </summary>
internal sealed class PacketLoop : IDisposable
{
    private readonly InboundPath? _inbound;
    private readonly OutboundPath? _outbound;
    private readonly ReadinessWatch _watch;
    private readonly KeepWarmTimer? _warm;

    /// <summary>
    /// A loop over a socket, a TUN queue, or (the usual case) both. Its wait set is made here, on
    /// the starting thread, so a failure to make one fails the start instead of a loop.
    /// </summary>
    public PacketLoop(InboundPath? inbound, OutboundPath? outbound, ShutdownSignal shutdown, bool keepWarm = false)
    {
        _inbound = inbound;
        _outbound = outbound;
        _warm = keepWarm ? new KeepWarmTimer() : null;
        try
        {
            _watch = new ReadinessWatch(shutdown, inbound?.Socket, outbound?.Queue, _warm?.Descriptor);
        }
        catch
        {
            _warm?.Dispose();
            throw;
        }
    }

    /// <summary>The thread body: returns when shutdown is signalled.</summary>
    public void Run()
    {
        Readiness ready = Readiness.Both;
        while (true)
        {
            PumpResult received = (ready & Readiness.First) != 0 && _inbound is not null ? _inbound.Pump() : PumpResult.Empty;
            // After a write to the TUN device its reply may wait already, whatever the wait said.
            bool readTun = (ready & Readiness.Second) != 0 || received != PumpResult.Empty;
            PumpResult sent = readTun && _outbound is not null ? _outbound.Pump() : PumpResult.Empty;
            if (received == PumpResult.Full || sent == PumpResult.Full)
            {
                ready = Readiness.Both;
                continue;
            }

            _warm?.AfterTurn(Carried);
            ready = _watch.Wait(-1);
            if (ready == Readiness.Shutdown)
            {
                return;
            }

            if ((ready & Readiness.Third) != 0 && _warm!.Ticked(idle: (ready & Readiness.Both) == 0))
            {
                // Keeping warm: a turn over both descriptors, as a packet's would take.
                ready |= Readiness.Both;
            }
        }
    }

    /// <summary>Packets this loop has carried for peers, both ways.</summary>
    private long Carried => (_inbound?.Carried ?? 0) + (_outbound?.Carried ?? 0);

    public void Dispose()
    {
        _watch.Dispose();
        _warm?.Dispose();
        _inbound?.Dispose();
        _outbound?.Dispose();
    }
}

/// <summary>What one pass of a path over its descriptor found.</summary>
internal enum PumpResult
{
    /// <summary>Nothing was waiting.</summary>
    Empty,

    /// <summary>A batch was served and nothing more was waiting.</summary>
    Drained,

    /// <summary>A full batch was served: more may be waiting.</summary>
    Full,
}
