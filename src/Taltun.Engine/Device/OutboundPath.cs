using Taltun.Interop;
using Taltun.Protocol;
using Taltun.Transport;
using Taltun.Tun;
using static Taltun.Protocol.MessageLayout;

namespace Taltun.Device;

/// <summary>
/// Packets leaving through the tunnel, on one dedicated thread:
///   1. read a burst from the TUN device (until it is empty or a batch is full), each packet
///      landing behind room for the transport header, so encryption happens in place;
///   2. route each by destination (AllowedIPs) to its peer;
///   3. encapsulate (or stage it and start a handshake, which the core writes instead);
///   4. send the batch with one sendmmsg.
/// Nothing is allocated per packet. Not thread-safe: owned by its thread.
/// </summary>
internal sealed unsafe class OutboundPath : IDisposable
{
    private readonly ProtocolCore _core;
    private readonly TunDevice _tun;
    private readonly UdpSocket _socket;
    private readonly TunnelLog _log;
    private readonly NativeSlots _slots = new(Tuning.BatchSize, Tuning.SlotSize);
    private readonly int[] _lengths = new int[Tuning.BatchSize];
    private readonly SendBatch _batch;

    public OutboundPath(ProtocolCore core, TunDevice tun, UdpSocket socket, TunnelLog log)
    {
        _core = core;
        _tun = tun;
        _socket = socket;
        _log = log;
        _batch = new SendBatch(socket.DualStack);
    }

    /// <summary>The thread body: returns when shutdown is signalled.</summary>
    public void Run(ShutdownSignal shutdown)
    {
        while (true)
        {
            int count = ReadBurst();
            if (count == 0)
            {
                if (!shutdown.Wait(_tun.Fd, Libc.POLLIN))
                {
                    return;
                }

                continue;
            }

            for (int i = 0; i < count; i++)
            {
                Encapsulate(i);
            }

            _core.Drops.Add(DropReason.SendFailed, _socket.Send(_batch));
        }
    }

    public void Dispose()
    {
        _slots.Dispose();
        _batch.Dispose();
    }

    private int ReadBurst()
    {
        // Room for the header in front and padding plus tag behind; an oversized packet is read whole and then dropped as too big.
        int capacity = Tuning.SlotSize - TransportHeaderSize - TransportOverhead;
        int count = 0;
        while (count < Tuning.BatchSize)
        {
            int length = _tun.Read(_slots.Pointer(count) + TransportHeaderSize, capacity, out int errno);
            if (length > 0)
            {
                _lengths[count++] = length;
                continue;
            }

            if (length < 0 && errno == Errno.EINTR)
            {
                continue;
            }

            if (length < 0 && errno != Errno.EAGAIN)
            {
                _log.Error($"Reading from '{_tun.Name}' failed ({Errno.Describe(errno)}).");
            }

            break;
        }

        return count;
    }

    private void Encapsulate(int i)
    {
        Span<byte> slot = _slots.Span(i);
        int length = _lengths[i];
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

        if (peer.Endpoint is not UdpEndpoint endpoint || !_batch.Add(_slots.Pointer(i) + result.Offset, result.Length, endpoint))
        {
            _core.CountDrop(DropReason.NoEndpoint, peer);
        }
    }
}
