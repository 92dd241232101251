using Taltun.Foundation;
using Taltun.Interop;
using Taltun.Offload;
using Taltun.Protocol;
using Taltun.Routing;
using Taltun.Transport;
using Taltun.Tun;
using static Taltun.Protocol.MessageLayout;

namespace Taltun.Device;

/// <summary>
/// Datagrams arriving on one UDP socket of the group, received by its <see cref="PacketLoop"/>:
///   1. receive a batch with one recvmmsg (with UDP GRO, a message may hold many datagrams of one
///      source, cut apart here by the segment size the kernel reports);
///   2. queue handshake messages for the <see cref="HandshakeWorkers"/> (they cost a DH each, so
///      they never hold up transport packets);
///   3. decrypt transport packets in place (the core checks replay and the inner source address);
///   4. clamp the MSS of TCP SYN-ACKs (and SYNs) to fit the tunnel; follow a peer that roamed: its endpoint becomes the source of its latest authenticated packet;
///   5. packets for this host go to the TUN device, through the loop's own TUN queue (the kernel
///      then sends the replies of their flows to that queue, so the same thread reads them) — with offloads, consecutive TCP segments of a
///      flow merged into one write (<see cref="TcpCoalescer"/>); a packet addressed to another
///      peer (a spoke talking to a spoke through this hub) is relayed if the hub's
///      <see cref="RelayPolicy"/> allows it: its TTL goes down and it is encrypted again for that peer;
///   6. write the TUN batch and send the relayed batch with one sendmmsg.
/// Nothing is allocated per packet (a roam allocates its new endpoint). Not thread-safe: owned by its loop's thread.
/// </summary>
internal sealed unsafe class InboundPath : IDisposable
{
    private readonly ProtocolCore _core;
    private readonly TunDevice _tun;
    private readonly int _tunQueue;
    private readonly UdpSocket _socket;
    private readonly HandshakeQueue _handshakes;
    private readonly LocalAddresses _localAddresses;
    private readonly TunnelLog _log;
    private readonly ReceiveBatch _batch;
    private readonly SendBatch _relay;
    private readonly NativeSlots _relaySlots = new(Tuning.BatchSize, Tuning.SlotSize);
    private readonly TcpCoalescer? _coalescer;
    private readonly bool _clampMss;
    private readonly RelayPolicy? _relayPolicy;
    private int _relaySlotsUsed;

    public InboundPath(ProtocolCore core, TunDevice tun, int tunQueue, UdpSocket socket, HandshakeQueue handshakes, LocalAddresses localAddresses, TunnelLog log, bool clampMss, RelayPolicy? relayPolicy)
    {
        _relayPolicy = relayPolicy;
        _core = core;
        _clampMss = clampMss;
        _tun = tun;
        _tunQueue = tunQueue;
        _socket = socket;
        _handshakes = handshakes;
        _localAddresses = localAddresses;
        _log = log;
        _batch = socket.ReceiveCoalescing
            ? new ReceiveBatch(Tuning.CoalescedBatchSize, Tuning.MaxSuperPacket + 1)
            : new ReceiveBatch(Tuning.BatchSize, Tuning.SlotSize);
        _relay = new SendBatch(socket.DualStack);
        _coalescer = tun.HasVirtioHeader ? new TcpCoalescer() : null;
    }

    /// <summary>Data packets authenticated from peers so far, whatever became of them (delivered, relayed or refused).</summary>
    public long Carried { get; private set; }

    /// <summary>The UDP socket this path receives on.</summary>
    public FileDescriptor Socket => _socket.Fd;

    /// <summary>Receives what waits on the socket (up to a batch) and delivers, relays or queues each message.</summary>
    public PumpResult Pump()
    {
        int count = _socket.Receive(_batch, out int errno);
        if (count == 0)
        {
            if (errno is not (0 or Errno.EAGAIN or Errno.EINTR))
            {
                _log.Error($"Receiving on UDP port {_socket.Port} failed ({Errno.Describe(errno)}).");
            }

            return errno == Errno.EINTR ? PumpResult.Full : PumpResult.Empty;
        }

        for (int i = 0; i < count; i++)
        {
            ReceiveMessage(i);
        }

        FlushTunnel();
        SendRelayed();

        // recvmmsg returns fewer messages than asked only when no more were waiting.
        return count < _batch.Capacity ? PumpResult.Drained : PumpResult.Full;
    }

    public void Dispose()
    {
        _batch.Dispose();
        _relay.Dispose();
        _relaySlots.Dispose();
        _coalescer?.Dispose();
    }

    private void ReceiveMessage(int i)
    {
        int length = _batch.Length(i);
        if (length == 0)
        {
            // An empty datagram is nobody's message; it is counted like any other that is too short.
            _core.CountDrop(DropReason.TooShort, null);
            return;
        }

        int segment = _batch.SegmentSize(i);
        for (int offset = 0; offset < length; offset += segment)
        {
            int datagram = Math.Min(segment, length - offset);
            bool lastInSlot = offset + datagram >= length;
            Receive(i, offset, datagram, lastInSlot ? _batch.SlotSize - offset : datagram);
        }
    }

    /// <summary>One datagram at <paramref name="offset"/> in slot <paramref name="i"/>; <paramref name="room"/> bytes there are free to write.</summary>
    private void Receive(int i, int offset, int length, int room)
    {
        Span<byte> datagram = _batch.Packet(i).Slice(offset, room);
        MessageType type = ProtocolCore.Classify(datagram[..length]);
        if (ProtocolCore.IsHandshake(type))
        {
            if (!_handshakes.TryEnqueue(type, datagram[..length], _batch.Source(i), _socket))
            {
                _core.CountDrop(length > InitiationSize ? DropReason.WrongSize : DropReason.HandshakeQueueFull, null);
            }

            return;
        }

        ProtocolResult result = _core.Receive(datagram, length, default, default);
        if (result.Peer is not { } peer || result.Kind is ResultKind.Dropped)
        {
            return;
        }

        Roaming.Follow(peer, _batch.Source(i), _log);

        if (result.Kind == ResultKind.WriteToTunnel)
        {
            Deliver(_batch.PacketPointer(i) + offset, room, peer, result);
        }
    }

    private void Deliver(byte* datagram, int room, Peer from, ProtocolResult result)
    {
        Carried++;
        byte* packet = datagram + result.Offset;
        if (_clampMss)
        {
            MssClamp.Apply(new Span<byte>(packet, result.Length), _core.Mtu);
        }

        var span = new Span<byte>(packet, result.Length);
        if (_relayPolicy is not null && !_localAddresses.Contains(IpPacket.Destination(span)) && _core.Route(span) is { } to && to != from)
        {
            // A packet from one peer to another: the hub's relay, under its policy, as a router
            // (the TTL or hop limit goes down, so a loop through relays dies).
            if (!_relayPolicy.Allows(span))
            {
                _core.CountDrop(DropReason.RelayRefused, from);
            }
            else if (!IpPacket.TryDecrementHopLimit(span))
            {
                _core.CountDrop(DropReason.RelayHopLimit, from);
            }
            else
            {
                Relay(datagram, room, to, result.Length);
            }

            return;
        }

        if (_coalescer is null)
        {
            if (!_tun.Write(_tunQueue, packet, result.Length, out _))
            {
                _core.CountDrop(DropReason.TunWriteFailed, from);
            }

            return;
        }

        // The transport header in front of the packet is spent: the virtio header goes there.
        _coalescer.Add(packet, result.Length);
        if (_coalescer.IsFull)
        {
            FlushTunnel();
        }
    }

    private void Relay(byte* datagram, int room, Peer to, int length)
    {
        // The plaintext sits behind a transport header's worth of room: encrypt in place when the
        // result fits where the datagram was; otherwise (a different padding) in a spare slot.
        if (_core.EncapsulatedLength(length) > room)
        {
            if (_relaySlotsUsed == _relaySlots.Count)
            {
                SendRelayed();
            }

            byte* spare = _relaySlots.Pointer(_relaySlotsUsed++);
            Buffer.MemoryCopy(datagram + TransportHeaderSize, spare + TransportHeaderSize, length, length);
            datagram = spare;
            room = _relaySlots.SlotSize;
        }

        ProtocolResult result = _core.Encapsulate(to, new Span<byte>(datagram, room), length);
        if (result.Kind != ResultKind.WriteToNetwork)
        {
            return;
        }

        if (to.Endpoint is not { } endpoint || !_relay.Add(datagram + result.Offset, result.Length, endpoint))
        {
            _core.CountDrop(DropReason.NoEndpoint, to);
        }

        if (_relay.IsFull)
        {
            SendRelayed();
        }
    }

    private void FlushTunnel()
    {
        if (_coalescer is { Count: > 0 })
        {
            _core.Drops.Add(DropReason.TunWriteFailed, _coalescer.Flush(_tun.Queues[_tunQueue]));
        }
    }

    private void SendRelayed()
    {
        if (_relay.Count > 0)
        {
            _core.Drops.Add(DropReason.SendFailed, _socket.Send(_relay));
        }

        _relaySlotsUsed = 0;
    }
}
