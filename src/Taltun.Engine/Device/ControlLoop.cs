using Taltun.Foundation;
using Taltun.Protocol;
using Taltun.Transport;

namespace Taltun.Device;

/// <summary>
/// The tunnel's control thread: every peer's timers (handshake retries, rekeys, keepalives, key
/// erasure), the handshakes that traffic asks for, and packets staged for a session, each peer
/// exactly when the <see cref="PeerScheduler"/> says it is due, so the cost follows what happens
/// rather than how many peers there are. Its Diffie-Hellman work (our own initiations) never
/// waits behind received handshake messages: those are the <see cref="HandshakeWorkers"/>'.
/// Thread-safe: one thread runs <see cref="Run"/>; its scheduler takes requests from any thread.
/// </summary>
internal sealed class ControlLoop
{
    /// <summary>The longest sleep without a due peer: a safety net, not a tick.</summary>
    private static readonly TimeSpan IdleLimit = TimeSpan.FromSeconds(1);

    private readonly ProtocolCore _core;
    private readonly PeerScheduler _scheduler;
    private readonly UdpSocket _socket;
    private readonly TunnelLog _log;
    private readonly byte[] _buffer = new byte[Tuning.SlotSize];

    public ControlLoop(ProtocolCore core, PeerScheduler scheduler, UdpSocket socket, TunnelLog log)
    {
        _core = core;
        _scheduler = scheduler;
        _socket = socket;
        _log = log;
    }

    /// <summary>The thread body: returns once <paramref name="stopping"/> is cancelled.</summary>
    public void Run(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            // Peers due within the slack are served now too: their timers need no finer time, and
            // the thread sleeps properly instead of waking for each of a thousand peers a millisecond apart.
            while (_scheduler.TryTakeDue(_core.Now + Tuning.TimerSlack, out Peer peer) && !stopping.IsCancellationRequested)
            {
                Service(peer);
            }

            _scheduler.Sleep(_core.Now, IdleLimit, stopping);
        }
    }

    /// <summary>Everything due for one peer, then when it is next due.</summary>
    private void Service(Peer peer)
    {
        int attemptsBefore = peer.Timers.HandshakeAttempts;
        while (_core.Tick(peer, _buffer) is { Kind: not ResultKind.Done } result)
        {
            Send(peer, result);
        }

        while (_core.TakeStaged(peer, _buffer) is { Kind: ResultKind.WriteToNetwork } staged)
        {
            Send(peer, staged);
        }

        LogRetries(peer, attemptsBefore);
        _scheduler.Schedule(peer, _core.NextDeadline(peer));
    }

    private void Send(Peer peer, ProtocolResult result)
    {
        if (result.Kind != ResultKind.WriteToNetwork)
        {
            return;
        }

        if (peer.Endpoint is not { } endpoint)
        {
            _core.CountDrop(DropReason.NoEndpoint, peer);
            return;
        }

        if (!_socket.SendOne(_buffer.AsSpan(result.Offset, result.Length), endpoint))
        {
            _core.CountDrop(DropReason.SendFailed, peer);
        }
    }

    private void LogRetries(Peer peer, int attemptsBefore)
    {
        int attempts = peer.Timers.HandshakeAttempts;
        if (attempts > attemptsBefore)
        {
            _log.Warning($"Handshake with peer {peer.PublicKey} did not complete after {ProtocolConstants.RekeyTimeout.TotalSeconds:0} seconds, retrying (attempt {attempts + 1}).");
        }
        else if (attemptsBefore > ProtocolConstants.MaxTimerHandshakes && attempts == 0)
        {
            _log.Warning($"Handshake with peer {peer.PublicKey} did not complete after {ProtocolConstants.MaxTimerHandshakes + 2} attempts; giving up until new traffic asks again.");
        }
    }
}
