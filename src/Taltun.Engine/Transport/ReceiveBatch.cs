using System.Runtime.InteropServices;
using Taltun.Foundation;
using Taltun.Interop;

namespace Taltun.Transport;

/// <summary>
/// Up to <see cref="Tuning.BatchSize"/> messages received by one recvmmsg: packet slots, source
/// addresses and control buffers in native memory set up once, so a receive allocates nothing.
/// Message i is <see cref="Packet"/>(i)[..<see cref="Length"/>(i)]. With UDP GRO a message may
/// hold several datagrams from one source, each <see cref="SegmentSize"/>(i) bytes (the last may
/// be shorter). Not thread-safe: one receive loop owns it.
/// </summary>
internal sealed unsafe class ReceiveBatch : IDisposable
{
    // CMSG_SPACE(sizeof(int)): a 16-byte cmsghdr and the value, aligned to 8.
    private const int ControlSize = 24;
    private const int SOL_UDP = 17;
    private const int UDP_GRO = 104;

    private readonly NativeSlots _packets;
    private readonly NativeSlots _names;
    private readonly Libc.MMsgHdr* _headers;
    private readonly Libc.IoVec* _iovecs;
    private readonly byte* _control;

    public ReceiveBatch(int capacity = Tuning.BatchSize, int slotSize = Tuning.SlotSize)
    {
        Capacity = capacity;
        _packets = new NativeSlots(capacity, slotSize);
        _names = new NativeSlots(capacity, UdpEndpoint.MaxSockAddrSize);
        _headers = (Libc.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(Libc.MMsgHdr)));
        _iovecs = (Libc.IoVec*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(Libc.IoVec)));
        _control = (byte*)NativeMemory.AllocZeroed((nuint)(capacity * ControlSize));
        for (int i = 0; i < capacity; i++)
        {
            _iovecs[i] = new Libc.IoVec { Base = _packets.Pointer(i), Length = (nuint)_packets.SlotSize };
            _headers[i] = new Libc.MMsgHdr
            {
                Header = new Libc.MsgHdr
                {
                    Name = _names.Pointer(i),
                    NameLength = UdpEndpoint.MaxSockAddrSize,
                    Iov = &_iovecs[i],
                    IovLength = 1,
                    Control = _control + (i * ControlSize),
                    ControlLength = ControlSize,
                },
            };
        }
    }

    public int Capacity { get; }

    /// <summary>Messages held after the last receive.</summary>
    public int Count { get; private set; }

    internal Libc.MMsgHdr* Headers => _headers;

    public int SlotSize => _packets.SlotSize;

    public Span<byte> Packet(int i) => _packets.Span(i);

    public byte* PacketPointer(int i) => _packets.Pointer(i);

    public int Length(int i) => (int)_headers[i].Length;

    public ReadOnlySpan<byte> Source(int i) => new(_names.Pointer(i), _headers[i].Header.NameLength);

    /// <summary>The size of each datagram in message i (UDP GRO), or its whole length if it is one datagram.</summary>
    public int SegmentSize(int i)
    {
        ref Libc.MsgHdr header = ref _headers[i].Header;
        byte* control = _control + (i * ControlSize);
        bool coalesced = header.ControlLength >= 20 && *(int*)(control + 8) == SOL_UDP && *(int*)(control + 12) == UDP_GRO;
        int size = coalesced ? *(int*)(control + 16) : 0;
        return size > 0 ? size : Length(i);
    }

    /// <summary>
    /// Readies the headers for the next receive. The kernel writes back only the messages it
    /// filled (their length, source length, control length and flags), so only the last receive's
    /// are reset: a lone datagram then touches two headers, not all 64 (5 KB of headers and
    /// iovecs, every one a cache miss on a core that sat idle).
    /// </summary>
    internal void Prepare()
    {
        for (int i = 0; i < Count; i++)
        {
            ref Libc.MMsgHdr message = ref _headers[i];
            message.Header.NameLength = UdpEndpoint.MaxSockAddrSize;
            message.Header.ControlLength = ControlSize;
            message.Header.Flags = 0;
            message.Length = 0;
        }

        Count = 0;
    }

    internal void SetCount(int count) => Count = count;

    public void Dispose()
    {
        _packets.Dispose();
        _names.Dispose();
        NativeMemory.Free(_headers);
        NativeMemory.Free(_iovecs);
        NativeMemory.Free(_control);
    }
}
