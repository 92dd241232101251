using System.Collections.Concurrent;
using Taltun.Foundation;
using Taltun.Protocol;
using Taltun.Transport;
using static Taltun.Protocol.MessageLayout;

namespace Taltun.Device;

/// <summary>
/// The tunnel's control thread, off the data path: everything that costs a Diffie-Hellman or
/// runs on a clock.
///   1. handshake messages queued by the receive threads (bounded; a full queue drops and counts,
///      and a deep one switches the core to "under load" so initiations must carry a cookie);
///   2. every peer's timers each <see cref="Tuning.TimerInterval"/>: retries, rekeys, keepalives, key erasure;
///   3. initiations the data paths ask for (they stage the packet and never do Diffie-Hellman
///      themselves), and packets staged while a handshake was in flight, once the session exists.
///
/// Thread-safe: any thread may enqueue or request a flush; one thread runs <see cref="Run"/>.
/// </summary>
internal sealed class HandshakeWorker : IDisposable
{
    // Replies are at most a response (92 bytes), a cookie reply (64) or a keepalive (32); the
    // core asks for room for an initiation in every buffer it writes.
    private const int MinBufferSizeForReplies = ProtocolCore.MinBufferSize;

    private readonly ProtocolCore _core;
    private readonly UdpSocket _socket;
    private readonly TunnelLog _log;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<QueuedMessage> _queue = new();
    private readonly ConcurrentBag<QueuedMessage> _free = [];
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly byte[] _buffer = new byte[Tuning.SlotSize];
    private int _queued;
    private long _underLoadUntil;
    private volatile bool _stopping;
    private volatile bool _flushRequested;
    private volatile bool _handshakeRequested;

    public HandshakeWorker(ProtocolCore core, UdpSocket socket, TunnelLog log, TimeProvider time)
    {
        _core = core;
        _socket = socket;
        _log = log;
        _time = time;
    }

    /// <summary>Queues a copy of a handshake message and its source; drops it when the queue is full.</summary>
    public void Enqueue(MessageType type, ReadOnlySpan<byte> message, ReadOnlySpan<byte> source, UdpSocket socket)
    {
        if (message.Length > InitiationSize || Interlocked.Increment(ref _queued) > Tuning.HandshakeQueueCapacity)
        {
            if (message.Length <= InitiationSize)
            {
                Interlocked.Decrement(ref _queued);
                _core.CountDrop(DropReason.HandshakeQueueFull, null);
            }
            else
            {
                _core.CountDrop(DropReason.WrongSize, null);
            }

            return;
        }

        QueuedMessage item = _free.TryTake(out QueuedMessage? reused) ? reused : new QueuedMessage();
        item.Type = type;
        message.CopyTo(item.Message);
        item.Length = message.Length;
        source.CopyTo(item.Source);
        item.SourceLength = source.Length;
        item.Socket = socket;
        _queue.Enqueue(item);
        _wake.Set();
    }

    /// <summary>Asks for the handshakes that data paths want (peers with staged packets) to start now rather than at the next tick.</summary>
    public void RequestHandshake()
    {
        _handshakeRequested = true;
        _wake.Set();
    }

    /// <summary>Asks for staged packets to be sent now rather than at the next tick.</summary>
    public void RequestFlush()
    {
        _flushRequested = true;
        _wake.Set();
    }

    /// <summary>The thread body: returns soon after <see cref="Stop"/>.</summary>
    public void Run()
    {
        long nextTick = _time.GetTimestamp();
        while (!_stopping)
        {
            TimeSpan untilTick = _time.GetElapsedTime(_time.GetTimestamp(), nextTick);
            if (untilTick > TimeSpan.Zero)
            {
                _wake.Wait(untilTick);
            }

            _wake.Reset();
            if (_stopping)
            {
                return;
            }

            ProcessQueue();
            if (_handshakeRequested)
            {
                _handshakeRequested = false;
                StartWantedHandshakes();
            }

            if (_flushRequested)
            {
                _flushRequested = false;
                FlushStaged();
            }

            if (_time.GetElapsedTime(nextTick) >= TimeSpan.Zero)
            {
                RunTimers();
                FlushStaged();
                nextTick = _time.GetTimestamp() + (long)(Tuning.TimerInterval.TotalSeconds * _time.TimestampFrequency);
            }
        }
    }

    public void Stop()
    {
        _stopping = true;
        _wake.Set();
    }

    public void Dispose() => _wake.Dispose();

    private void ProcessQueue()
    {
        UpdateUnderLoad();
        while (_queue.TryDequeue(out QueuedMessage? item))
        {
            Interlocked.Decrement(ref _queued);
            Process(item);
            _free.Add(item);
            if (_stopping)
            {
                return;
            }
        }
    }

    private void UpdateUnderLoad()
    {
        long now = _time.GetTimestamp();
        if (Volatile.Read(ref _queued) >= Tuning.UnderLoadQueueDepth)
        {
            if (!_core.UnderLoad)
            {
                _log.Warning($"{Volatile.Read(ref _queued)} handshake messages are waiting: initiations now need a cookie (mac2) and are rate-limited per address.");
            }

            _underLoadUntil = now + (long)(Tuning.UnderLoadHold.TotalSeconds * _time.TimestampFrequency);
            _core.UnderLoad = true;
        }
        else if (_core.UnderLoad && now >= _underLoadUntil)
        {
            _core.UnderLoad = false;
        }
    }

    private void Process(QueuedMessage item)
    {
        item.Message.AsSpan(0, item.Length).CopyTo(_buffer);
        ReadOnlySpan<byte> sockAddr = item.Source.AsSpan(0, item.SourceLength);
        Span<byte> source = stackalloc byte[UdpEndpoint.MaxSourceSize];
        int sourceLength = UdpEndpoint.WriteSource(sockAddr, source);
        Span<byte> reply = stackalloc byte[MinBufferSizeForReplies];
        ProtocolResult result = _core.Receive(_buffer, item.Length, source[..sourceLength], reply);
        if (result.Kind != ResultKind.WriteToNetwork)
        {
            return;
        }

        UdpEndpoint? replyTo = UdpEndpoint.FromSockAddr(sockAddr);
        if (replyTo is null)
        {
            return;
        }

        if (result.Peer is { } peer)
        {
            // An authenticated initiation or response: the peer is where it came from.
            Roaming.Follow(peer, sockAddr, _log);

            _log.Information(item.Type == MessageType.Initiation
                ? $"Handshake with peer {peer.PublicKey} completed (we answered its initiation)."
                : $"Handshake with peer {peer.PublicKey} completed (it answered our initiation).");
        }

        if (!item.Socket!.SendOne(reply.Slice(result.Offset, result.Length), replyTo))
        {
            _core.CountDrop(DropReason.SendFailed, result.Peer);
        }

        if (result.Peer is not null && item.Type == MessageType.Response)
        {
            FlushStaged(result.Peer);
        }
    }

    private void RunTimers()
    {
        foreach (Peer peer in _core.Peers)
        {
            int attemptsBefore = peer.Timers.HandshakeAttempts;
            SendUntilDone(peer, timers: true);

            int attempts = peer.Timers.HandshakeAttempts;
            if (attempts > 1 && attempts != attemptsBefore)
            {
                _log.Warning($"Handshake with peer {peer.PublicKey} did not complete after {ProtocolConstants.RekeyTimeout.TotalSeconds:0} seconds, retrying (attempt {attempts}).");
            }
            else if (attempts == 0 && attemptsBefore >= ProtocolConstants.MaxHandshakeAttempts)
            {
                _log.Warning($"Handshake with peer {peer.PublicKey} gave up after {ProtocolConstants.RekeyAttemptTime.TotalSeconds:0} seconds; new traffic will try again.");
            }
        }
    }

    private void StartWantedHandshakes()
    {
        foreach (Peer peer in _core.Peers)
        {
            if (ProtocolCore.NeedsHandshake(peer))
            {
                SendUntilDone(peer, timers: true);
            }
        }
    }

    private void FlushStaged()
    {
        foreach (Peer peer in _core.Peers)
        {
            if (peer.StagedCount > 0)
            {
                FlushStaged(peer);
            }
        }
    }

    private void FlushStaged(Peer peer) => SendUntilDone(peer, timers: false);

    /// <summary>Sends what the core has for <paramref name="peer"/>, one message per call: timer actions, or staged packets.</summary>
    private void SendUntilDone(Peer peer, bool timers)
    {
        while (true)
        {
            ProtocolResult result = timers ? _core.Tick(peer, _buffer) : _core.TakeStaged(peer, _buffer);
            if (result.Kind == ResultKind.Done)
            {
                return;
            }

            if (result.Kind == ResultKind.WriteToNetwork)
            {
                Send(peer, result);
            }
        }
    }

    private void Send(Peer peer, ProtocolResult result)
    {
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

    private sealed class QueuedMessage
    {
        public readonly byte[] Message = new byte[InitiationSize];
        public readonly byte[] Source = new byte[UdpEndpoint.MaxSockAddrSize];
        public MessageType Type;
        public int Length;
        public int SourceLength;
        public UdpSocket? Socket;
    }
}
