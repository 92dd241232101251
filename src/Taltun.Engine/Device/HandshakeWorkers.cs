using Taltun.Foundation;
using Taltun.Protocol;
using Taltun.Transport;

namespace Taltun.Device;

/// <summary>
/// The threads that do handshakes' Diffie-Hellman work, one per core as wireguard-go's
/// RoutineHandshake: each takes a message off the <see cref="HandshakeQueue"/> (one that waited
/// until its sender gave up on it is only counted), tells the core
/// whether the tunnel is under load right now (then initiations need a cookie and cost no
/// Diffie-Hellman), hands it to the core, and sends the reply (response, cookie reply or the
/// keepalive that confirms a session) from the socket it arrived on. Packets that waited for the
/// session go out at once. Timers and our own initiations are the <see cref="ControlLoop"/>'s, so a
/// flood here never delays them.
/// Thread-safe: <see cref="Run"/> runs on several threads, each with its own buffers.
/// </summary>
internal sealed class HandshakeWorkers
{
    private readonly ProtocolCore _core;
    private readonly HandshakeQueue _queue;
    private readonly TunnelLog _log;
    private int _underLoadLogged;

    public HandshakeWorkers(ProtocolCore core, HandshakeQueue queue, TunnelLog log)
    {
        _core = core;
        _queue = queue;
        _log = log;
    }

    /// <summary>A thread body: returns once <paramref name="stopping"/> is cancelled.</summary>
    public void Run(CancellationToken stopping)
    {
        var buffer = new byte[Tuning.SlotSize];
        var reply = new byte[Tuning.SlotSize];
        while (_queue.Take(stopping, out bool underLoad) is { } item)
        {
            try
            {
                NoteLoad(underLoad);
                if (item.Expired)
                {
                    _core.CountDrop(DropReason.HandshakeQueueTimeout, null);
                }
                else
                {
                    Process(item, underLoad, buffer, reply);
                }
            }
            finally
            {
                _queue.Return(item);
            }
        }
    }

    private void Process(HandshakeQueue.QueuedMessage item, bool underLoad, byte[] buffer, byte[] reply)
    {
        item.Message.AsSpan(0, item.Length).CopyTo(buffer);
        ReadOnlySpan<byte> sockAddr = item.Source.AsSpan(0, item.SourceLength);
        Span<byte> source = stackalloc byte[UdpEndpoint.MaxSourceSize];
        int sourceLength = UdpEndpoint.WriteSource(sockAddr, source);
        ProtocolResult result = _core.Receive(buffer, item.Length, source[..sourceLength], reply, underLoad);
        if (result.Kind != ResultKind.WriteToNetwork || UdpEndpoint.FromSockAddr(sockAddr) is not { } replyTo)
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

        if (!item.Socket!.SendOne(reply.AsSpan(result.Offset, result.Length), replyTo))
        {
            _core.CountDrop(DropReason.SendFailed, result.Peer);
        }

        if (result.Peer is { } confirmed && item.Type == MessageType.Response)
        {
            SendStaged(confirmed, item.Socket, replyTo, reply);
        }
    }

    /// <summary>What waited for the session we just completed goes now, from this thread.</summary>
    private void SendStaged(Peer peer, UdpSocket socket, UdpEndpoint endpoint, byte[] buffer)
    {
        while (_core.TakeStaged(peer, buffer) is { Kind: ResultKind.WriteToNetwork } result)
        {
            if (!socket.SendOne(buffer.AsSpan(result.Offset, result.Length), peer.Endpoint ?? endpoint))
            {
                _core.CountDrop(DropReason.SendFailed, peer);
            }
        }
    }

    /// <summary>Logs when the tunnel goes under load and when it leaves that state, not every message.</summary>
    private void NoteLoad(bool underLoad)
    {
        if (Interlocked.Exchange(ref _underLoadLogged, underLoad ? 1 : 0) == (underLoad ? 1 : 0))
        {
            return;
        }

        if (underLoad)
        {
            _log.Warning($"{_queue.Count} handshake messages are waiting: initiations now need a cookie (mac2) and are rate-limited per address.");
        }
        else
        {
            _log.Information("Handshake messages no longer queue up: initiations are accepted without a cookie again.");
        }
    }
}
