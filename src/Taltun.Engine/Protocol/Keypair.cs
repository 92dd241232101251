using Taltun.Crypto;

namespace Taltun.Protocol;

/// <summary>
/// One session's keys: a transport key per direction, the send counter (the nonce; never reused)
/// and the receive replay window. Created by a completed handshake, rotated by the peer through
/// previous → current → next, erased on dispose. Thread-safe: the counter is atomic, the replay
/// window is guarded by its own lock.
/// </summary>
internal sealed class Keypair : IDisposable
{
    private readonly TransportKey _send;
    private readonly TransportKey _receive;
    private readonly ReplayWindow _replay = new();
    private long _nextSendCounter = -1;
    private int _disposed;

    internal Keypair(ReadOnlySpan<byte> sendKey, ReadOnlySpan<byte> receiveKey, bool isInitiator, uint localIndex, uint remoteIndex, TimeSpan created)
    {
        _send = new TransportKey(sendKey);
        _receive = new TransportKey(receiveKey);
        IsInitiator = isInitiator;
        LocalIndex = localIndex;
        RemoteIndex = remoteIndex;
        Created = created;
    }

    /// <summary>True if this side sent the initiation: only the initiator rekeys on age.</summary>
    public bool IsInitiator { get; }

    /// <summary>Our index: the receiver field of packets the peer sends with this session.</summary>
    public uint LocalIndex { get; }

    /// <summary>The peer's index: the receiver field of packets we send.</summary>
    public uint RemoteIndex { get; }

    /// <summary>When the handshake that made it completed (the core's clock).</summary>
    public TimeSpan Created { get; }

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>How many counters have been handed out for sending.</summary>
    public ulong SendCount => (ulong)(Interlocked.Read(ref _nextSendCounter) + 1);

    /// <summary>Takes the next send counter, or false once RejectAfterMessages is reached.</summary>
    internal bool TryNextSendCounter(out ulong counter)
    {
        counter = (ulong)Interlocked.Increment(ref _nextSendCounter);
        return counter < ProtocolConstants.RejectAfterMessages;
    }

    /// <summary>For tests of the message limits: pretend this many counters were already used.</summary>
    internal void SkipSendCounterTo(ulong next) => Interlocked.Exchange(ref _nextSendCounter, (long)next - 1);

    internal void Seal(ulong counter, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext) => _send.Seal(counter, plaintext, ciphertext);

    internal bool Open(ulong counter, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext) => _receive.Open(counter, ciphertext, plaintext);

    /// <summary>Records a counter whose packet authenticated; false if it was seen before or is too old.</summary>
    internal bool TryAcceptCounter(ulong counter)
    {
        lock (_replay)
        {
            return _replay.TryAccept(counter, ProtocolConstants.RejectAfterMessages);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _send.Dispose();
            _receive.Dispose();
        }
    }
}
