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
/// Packets leaving through the tunnel, read from one TUN queue by its <see cref="PacketLoop"/>:
///   1. read a burst from the TUN device (until it is empty or a batch is full); each packet lands
///      behind room for the transport header, so encryption happens in place. With offloads a
///      read may be a 64 KB TCP/UDP super-packet: it is cut into MTU-sized packets (with their
///      own headers and checksums) as it is copied into the slots;
///   2. clamp the MSS of TCP SYNs to fit the tunnel, and route each packet by destination (AllowedIPs) to its peer;
///   3. encapsulate (or stage it: the core asks the control thread for a handshake; no Diffie-Hellman here);
///   4. send the batch with one sendmmsg (runs of equal-size packets to one peer as UDP GSO).
/// Nothing is allocated per packet. Not thread-safe: owned by its loop's thread.
/// </summary>
internal sealed unsafe class OutboundPath : IDisposable
{
    // Room in front of the packet for the transport header, and behind it for padding and tag.
    private const int PacketCapacity = Tuning.SlotSize - TransportHeaderSize - TransportOverhead;

    private readonly ProtocolCore _core;
    private readonly TunDevice _tun;
    private readonly UdpSocket _socket;
    private readonly TunnelLog _log;
    private readonly NativeSlots _slots = new(Tuning.OutboundSlots, Tuning.SlotSize);
    private readonly NativeSlots? _superPacket;
    private readonly int[] _lengths = new int[Tuning.OutboundSlots];
    private readonly SendBatch _batch;
    private readonly bool _clampMss;
    private int _lastBurst;

    private readonly int _queue;

    public OutboundPath(ProtocolCore core, TunDevice tun, int queue, UdpSocket socket, TunnelLog log, bool clampMss)
    {
        _core = core;
        _queue = queue;
        _clampMss = clampMss;
        _tun = tun;
        _socket = socket;
        _log = log;
        _batch = new SendBatch(socket.DualStack, Tuning.OutboundSlots);
        _superPacket = tun.HasVirtioHeader ? new NativeSlots(1, VirtioNetHeader.Size + Tuning.MaxSuperPacket) : null;
    }

    /// <summary>Packets encrypted and sent to a peer so far.</summary>
    public long Carried { get; private set; }

    /// <summary>The TUN queue this path reads.</summary>
    public FileDescriptor Queue => _tun.Queues[_queue];

    /// <summary>Reads what waits on the TUN queue (up to a batch), encrypts and sends it.</summary>
    public PumpResult Pump()
    {
        int first = 0;
        if (_lastBurst <= 1)
        {
            // Sparse traffic (the last burst was a lone packet: a ping, a keystroke, a request)
            // sends its packet before looking for a second, so the read that finds the queue
            // empty is not on that packet's way out. Bulk traffic reads whole batches first.
            first = Read(1);
            if (first == 0)
            {
                return PumpResult.Empty;
            }

            EncryptAndSend(first);
        }

        int count = Read(Tuning.BatchSize);
        _lastBurst = first + count;
        if (count > 0)
        {
            EncryptAndSend(count);
        }
        else if (first == 0)
        {
            return PumpResult.Empty;
        }

        // A burst ends when the queue is empty or the batch is full.
        return count < Tuning.BatchSize ? PumpResult.Drained : PumpResult.Full;
    }

    private int Read(int limit) => _superPacket is null ? ReadBurst(limit) : ReadSuperPackets(limit);

    public void Dispose()
    {
        _slots.Dispose();
        _superPacket?.Dispose();
        _batch.Dispose();
    }

    private int ReadBurst(int limit)
    {
        int count = 0;
        while (count < limit)
        {
            int length = _tun.Read(_queue, _slots.Pointer(count) + TransportHeaderSize, PacketCapacity, out int errno);
            if (length > 0)
            {
                _lengths[count++] = length;
            }
            else if (!ShouldRetry(length, errno))
            {
                break;
            }
        }

        return count;
    }

    /// <summary>Reads with a virtio header: each read is split into as many slots as it needs.</summary>
    private int ReadSuperPackets(int limit)
    {
        int count = 0;
        while (count < limit)
        {
            int length = _tun.Read(_queue, _superPacket!.Pointer(0), _superPacket.SlotSize, out int errno);
            if (length <= VirtioNetHeader.Size)
            {
                if (length >= 0 || !ShouldRetry(length, errno))
                {
                    break;
                }

                continue;
            }

            ReadOnlySpan<byte> read = _superPacket.Span(0)[..length];
            VirtioNetHeader header = VirtioNetHeader.Read(read);
            ReadOnlySpan<byte> packet = read[VirtioNetHeader.Size..];
            int segments = Split(packet, header, count);
            if (segments == Segmenter.NoRoom)
            {
                // Not enough free slots for this one: send what we have, then split it into an empty batch.
                EncryptAndSend(count);
                count = 0;
                segments = Split(packet, header, count);
            }

            if (segments < 0)
            {
                _core.CountDrop(DropReason.NotIpPacket, null);
                continue;
            }

            count += segments;
        }

        return count;
    }

    private int Split(ReadOnlySpan<byte> packet, in VirtioNetHeader header, int first) =>
        Segmenter.Split(
            packet,
            header,
            new Span<byte>(_slots.Pointer(first), (_slots.Count - first) * _slots.SlotSize),
            _slots.SlotSize,
            TransportHeaderSize,
            _slots.Count - first,
            _lengths.AsSpan(first));

    private bool ShouldRetry(int length, int errno)
    {
        if (length < 0 && errno == Errno.EINTR)
        {
            return true;
        }

        if (length < 0 && errno != Errno.EAGAIN)
        {
            _log.Error($"Reading from '{_tun.Name}' failed ({Errno.Describe(errno)}).");
        }

        return false;
    }

    private void EncryptAndSend(int count)
    {
        for (int i = 0; i < count; i++)
        {
            Encapsulate(i);
        }

        _core.Drops.Add(DropReason.SendFailed, _socket.Send(_batch));
    }

    private void Encapsulate(int i)
    {
        Span<byte> slot = _slots.Span(i);
        int length = _lengths[i];
        if (_clampMss)
        {
            MssClamp.Apply(slot.Slice(TransportHeaderSize, length), _core.Mtu);
        }

        Peer? peer = _core.Route(slot.Slice(TransportHeaderSize, length));
        if (peer is null)
        {
            _core.Drops.Add(DropReason.NoRoute);
            return;
        }

        ProtocolResult result = _core.Encapsulate(peer, slot, length);
        if (result.Kind != ResultKind.WriteToNetwork)
        {
            return;
        }

        if (peer.Endpoint is not { } endpoint || !_batch.Add(_slots.Pointer(i) + result.Offset, result.Length, endpoint))
        {
            _core.CountDrop(DropReason.NoEndpoint, peer);
            return;
        }

        Carried++;
    }
}
