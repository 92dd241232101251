using System.Collections.Concurrent;
using Taltun.Foundation;
using Taltun.Protocol;
using Taltun.Transport;
using static Taltun.Protocol.MessageLayout;

namespace Taltun.Device;

/// <summary>
/// Handshake messages waiting for a Diffie-Hellman, copied off the receive threads so those never
/// wait for one. Bounded: when it is full a message is dropped and counted; one that waited longer
/// than <see cref="Tuning.HandshakeQueueMaxWait"/> is handed out marked expired. It also decides, for
/// every message taken, whether the tunnel is under load (wireguard-go's IsUnderLoad): at least
/// <see cref="Tuning.UnderLoadQueueDepth"/> waiting, or that was so within the last <see cref="Tuning.UnderLoadHold"/>.
/// Thread-safe: receive threads enqueue, any number of handshake threads take.
/// </summary>
internal sealed class HandshakeQueue : IDisposable
{
    private readonly ConcurrentQueue<QueuedMessage> _queue = new();
    private readonly ConcurrentBag<QueuedMessage> _free = [];
    private readonly SemaphoreSlim _available = new(0);
    private readonly TimeProvider _time;
    private readonly long _underLoadHold;
    private readonly long _maxWait;
    private int _count;
    private long _underLoadUntil;

    public HandshakeQueue(TimeProvider time)
    {
        _time = time;
        _underLoadHold = (long)(Tuning.UnderLoadHold.TotalSeconds * time.TimestampFrequency);
        _maxWait = (long)(Tuning.HandshakeQueueMaxWait.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>Messages waiting now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Queues a copy of a handshake message and its source; false (nothing queued) when full or oversized.</summary>
    public bool TryEnqueue(MessageType type, ReadOnlySpan<byte> message, ReadOnlySpan<byte> source, UdpSocket socket)
    {
        if (message.Length > InitiationSize || source.Length > UdpEndpoint.MaxSockAddrSize)
        {
            return false;
        }

        if (Interlocked.Increment(ref _count) > Tuning.HandshakeQueueCapacity)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }

        QueuedMessage item = _free.TryTake(out QueuedMessage? reused) ? reused : new QueuedMessage();
        item.Type = type;
        message.CopyTo(item.Message);
        item.Length = message.Length;
        source.CopyTo(item.Source);
        item.SourceLength = source.Length;
        item.Socket = socket;
        item.Queued = _time.GetTimestamp();
        item.Expired = false;
        _queue.Enqueue(item);
        _available.Release();
        return true;
    }

    /// <summary>
    /// Waits for a message; null once <paramref name="stopping"/> is cancelled. Also says whether
    /// the tunnel is under load as this message is taken.
    /// </summary>
    public QueuedMessage? Take(CancellationToken stopping, out bool underLoad)
    {
        underLoad = false;
        try
        {
            _available.Wait(stopping);
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        if (!_queue.TryDequeue(out QueuedMessage? item))
        {
            return null;
        }

        long now = _time.GetTimestamp();
        if (Interlocked.Decrement(ref _count) + 1 >= Tuning.UnderLoadQueueDepth)
        {
            Volatile.Write(ref _underLoadUntil, now + _underLoadHold);
        }

        underLoad = now < Volatile.Read(ref _underLoadUntil);
        item.Expired = now - item.Queued > _maxWait;
        return item;
    }

    /// <summary>Gives a processed message's buffers back for reuse.</summary>
    public void Return(QueuedMessage item)
    {
        item.Socket = null;
        _free.Add(item);
    }

    public void Dispose() => _available.Dispose();

    /// <summary>
    /// One queued handshake message, its type (classified once by the receive thread), where it
    /// came from, when it was queued, and whether it waited too long to be worth answering.
    /// </summary>
    internal sealed class QueuedMessage
    {
        public readonly byte[] Message = new byte[InitiationSize];
        public readonly byte[] Source = new byte[UdpEndpoint.MaxSockAddrSize];
        public MessageType Type;
        public int Length;
        public int SourceLength;
        public UdpSocket? Socket;
        public long Queued;
        public bool Expired;
    }
}
