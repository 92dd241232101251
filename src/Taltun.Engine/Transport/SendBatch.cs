using System.Runtime.InteropServices;
using Taltun.Device;
using Taltun.Interop;

namespace Taltun.Transport;

/// <summary>
/// Datagrams collected for one sendmmsg. Entries point at packet bytes elsewhere in pinned
/// memory (a TUN read slot or a receive slot encrypted in place), so adding copies only the
/// destination address. The bytes must stay put until <see cref="UdpSocket.Send"/> returns.
/// Not thread-safe: one loop owns it.
/// </summary>
internal sealed unsafe class SendBatch : IDisposable
{
    private readonly NativeSlots _names;
    private readonly Libc.MMsgHdr* _headers;
    private readonly Libc.IoVec* _iovecs;

    public SendBatch(bool dualStack, int capacity = Tuning.BatchSize)
    {
        DualStack = dualStack;
        Capacity = capacity;
        _names = new NativeSlots(capacity, UdpEndpoint.MaxSockAddrSize);
        _headers = (Libc.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(Libc.MMsgHdr)));
        _iovecs = (Libc.IoVec*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(Libc.IoVec)));
    }

    public bool DualStack { get; }

    public int Capacity { get; }

    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    internal Libc.MMsgHdr* Headers => _headers;

    /// <summary>
    /// Queues <paramref name="length"/> bytes at <paramref name="data"/> for <paramref name="endpoint"/>;
    /// false if an IPv4-only socket cannot reach that (IPv6) endpoint. The caller flushes when full.
    /// </summary>
    public bool Add(byte* data, int length, UdpEndpoint endpoint)
    {
        ReadOnlySpan<byte> name = endpoint.SockAddr(DualStack);
        if (name.IsEmpty)
        {
            return false;
        }

        int i = Count++;
        name.CopyTo(_names.Span(i));
        _iovecs[i] = new Libc.IoVec { Base = data, Length = (nuint)length };
        _headers[i] = new Libc.MMsgHdr
        {
            Header = new Libc.MsgHdr { Name = _names.Pointer(i), NameLength = name.Length, Iov = &_iovecs[i], IovLength = 1 },
        };
        return true;
    }

    public void Clear() => Count = 0;

    public void Dispose()
    {
        _names.Dispose();
        NativeMemory.Free(_headers);
        NativeMemory.Free(_iovecs);
    }
}
