using System.Runtime.InteropServices;
using Taltun.Device;
using Taltun.Interop;

namespace Taltun.Transport;

/// <summary>
/// Up to <see cref="Tuning.BatchSize"/> datagrams received by one recvmmsg: packet slots and
/// source addresses in native memory set up once, so a receive allocates nothing. Datagram i is
/// <see cref="Packet"/>(i)[..<see cref="Length"/>(i)]. Not thread-safe: one receive loop owns it.
/// </summary>
internal sealed unsafe class ReceiveBatch : IDisposable
{
    private readonly NativeSlots _packets;
    private readonly NativeSlots _names;
    private readonly Libc.MMsgHdr* _headers;
    private readonly Libc.IoVec* _iovecs;

    public ReceiveBatch(int capacity = Tuning.BatchSize, int slotSize = Tuning.SlotSize)
    {
        Capacity = capacity;
        _packets = new NativeSlots(capacity, slotSize);
        _names = new NativeSlots(capacity, UdpEndpoint.MaxSockAddrSize);
        _headers = (Libc.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(Libc.MMsgHdr)));
        _iovecs = (Libc.IoVec*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(Libc.IoVec)));
    }

    public int Capacity { get; }

    /// <summary>Datagrams held after the last receive.</summary>
    public int Count { get; private set; }

    internal Libc.MMsgHdr* Headers => _headers;

    public int SlotSize => _packets.SlotSize;

    public Span<byte> Packet(int i) => _packets.Span(i);

    public byte* PacketPointer(int i) => _packets.Pointer(i);

    public int Length(int i) => (int)_headers[i].Length;

    public ReadOnlySpan<byte> Source(int i) => new(_names.Pointer(i), _headers[i].Header.NameLength);

    /// <summary>Resets every header to receive into its full slot.</summary>
    internal void Prepare()
    {
        for (int i = 0; i < Capacity; i++)
        {
            _iovecs[i] = new Libc.IoVec { Base = _packets.Pointer(i), Length = (nuint)_packets.SlotSize };
            _headers[i] = new Libc.MMsgHdr
            {
                Header = new Libc.MsgHdr { Name = _names.Pointer(i), NameLength = UdpEndpoint.MaxSockAddrSize, Iov = &_iovecs[i], IovLength = 1 },
            };
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
    }
}
