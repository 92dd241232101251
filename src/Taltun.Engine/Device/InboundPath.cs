using Taltun.Interop;
using Taltun.Protocol;
using Taltun.Routing;
using Taltun.Transport;
using Taltun.Tun;
using static Taltun.Protocol.MessageLayout;

namespace Taltun.Device;

/// <summary>
/// Datagrams arriving on one UDP socket of the group, on its own dedicated thread:
///   1. receive a batch with one recvmmsg;
///   2. hand handshake messages to the <see cref="HandshakeWorker"/> (they cost a DH each, so
///      they never hold up transport packets);
///   3. decrypt transport packets in place (the core checks replay and the inner source address);
///   4. follow a peer that roamed: its endpoint becomes the source of its latest authenticated packet;
///   5. write each packet to the TUN device, or, when it is addressed to another peer (a spoke
///      talking to a spoke through this hub), encrypt it again in place for that peer;
///   6. send the relayed batch with one sendmmsg.
/// Nothing is allocated per packet (a roam allocates its new endpoint). Not thread-safe: owned by its thread.
/// </summary>
internal sealed unsafe class InboundPath : IDisposable
{
    private readonly ProtocolCore _core;
    private readonly TunDevice _tun;
    private readonly UdpSocket _socket;
    private readonly HandshakeWorker _handshakes;
    private readonly LocalAddresses _localAddresses;
    private readonly TunnelLog _log;
    private readonly ReceiveBatch _batch = new();
    private readonly SendBatch _relay;

    public InboundPath(ProtocolCore core, TunDevice tun, UdpSocket socket, HandshakeWorker handshakes, LocalAddresses localAddresses, TunnelLog log)
    {
        _core = core;
        _tun = tun;
        _socket = socket;
        _handshakes = handshakes;
        _localAddresses = localAddresses;
        _log = log;
        _relay = new SendBatch(socket.DualStack);
    }

    /// <summary>The thread body: returns when shutdown is signalled.</summary>
    public void Run()
    {
        while (true)
        {
            int count = _socket.Receive(_batch, out int errno);
            if (count == 0)
            {
                if (errno is not (0 or Errno.EAGAIN or Errno.EINTR))
                {
                    _log.Error($"Receiving on UDP port {_socket.Port} failed ({Errno.Describe(errno)}).");
                }

                if (errno != Errno.EINTR && !_socket.WaitReadable())
                {
                    return;
                }

                continue;
            }

            for (int i = 0; i < count; i++)
            {
                Receive(i);
            }

            if (_relay.Count > 0)
            {
                _core.Drops.Add(DropReason.SendFailed, _socket.Send(_relay));
            }
        }
    }

    public void Dispose()
    {
        _batch.Dispose();
        _relay.Dispose();
    }

    private void Receive(int i)
    {
        int length = _batch.Length(i);
        Span<byte> datagram = _batch.Packet(i);
        if (length >= 4 && datagram[0] is >= (byte)MessageType.Initiation and <= (byte)MessageType.CookieReply)
        {
            _handshakes.Enqueue(datagram[..length], _batch.Source(i), _socket);
            return;
        }

        ProtocolResult result = _core.Receive(datagram, length, default, default);
        if (result.Peer is not { } peer || result.Kind is ResultKind.Dropped)
        {
            return;
        }

        Roam(peer, _batch.Source(i));
        if (peer.StagedCount > 0)
        {
            // A responder's session is confirmed by this packet: what waited for it can go now.
            _handshakes.RequestFlush();
        }

        if (result.Kind == ResultKind.WriteToTunnel)
        {
            Deliver(i, peer, result);
        }
    }

    private void Roam(Peer peer, ReadOnlySpan<byte> source)
    {
        if (peer.Endpoint is UdpEndpoint current && current.Matches(source))
        {
            return;
        }

        if (UdpEndpoint.FromSockAddr(source) is { } endpoint)
        {
            peer.Endpoint = endpoint;
            _log.Information($"Peer {peer.PublicKey} is now at {endpoint}.");
        }
    }

    private void Deliver(int i, Peer from, ProtocolResult result)
    {
        Span<byte> slot = _batch.Packet(i);
        ReadOnlySpan<byte> packet = slot.Slice(result.Offset, result.Length);
        if (!_localAddresses.Contains(IpPacket.Destination(packet)) && _core.Route(packet) is { } to && to != from)
        {
            Relay(i, to, result.Length);
            return;
        }

        if (!_tun.Write(_batch.PacketPointer(i) + result.Offset, result.Length, out _))
        {
            _core.CountDrop(DropReason.TunWriteFailed, from);
        }
    }

    private void Relay(int i, Peer to, int length)
    {
        // The plaintext already sits behind a transport header's worth of room: encrypt in place.
        ProtocolResult result = _core.Encapsulate(to, _batch.Packet(i), length);
        if (result.Kind != ResultKind.WriteToNetwork)
        {
            return;
        }

        if (to.Endpoint is not UdpEndpoint endpoint || !_relay.Add(_batch.PacketPointer(i) + result.Offset, result.Length, endpoint))
        {
            _core.CountDrop(DropReason.NoEndpoint, to);
        }
    }
}
