using System.Runtime.InteropServices;
using Taltun.Foundation;
using Taltun.Interop;

namespace Taltun.Transport;

/// <summary>
/// Datagrams collected for one sendmmsg. Entries point at packet bytes elsewhere in pinned
/// memory (a TUN read slot or a receive slot encrypted in place), so adding copies only the
/// destination address. When the socket can segment (UDP GSO), <see cref="Build"/> turns each run
/// of equal-size datagrams to one destination into a single message the kernel cuts up, so a
/// 64-packet batch costs a few messages instead of 64. The bytes must stay put until
/// <see cref="UdpSocket.Send"/> returns. Not thread-safe: one loop owns it.
/// </summary>
internal sealed unsafe class SendBatch : IDisposable
{
    /// <summary>The most datagrams in one UDP GSO message (UDP_MAX_SEGMENTS on older kernels).</summary>
    public const int MaxSegments = 64;

    /// <summary>The most bytes in one UDP GSO message: the datagrams plus headers fit 64 KB.</summary>
    public const int MaxSegmentedBytes = 65000;

    // CMSG_SPACE(sizeof(uint16_t)) on 64-bit Linux: a 16-byte cmsghdr and the value, aligned to 8.
    private const int ControlSize = 24;
    private const int SOL_UDP = 17;
    private const int UDP_SEGMENT = 103;

    private readonly NativeSlots _names;
    private readonly Libc.MMsgHdr* _headers;
    private readonly Libc.IoVec* _iovecs;
    private readonly byte* _control;
    private readonly int[] _nameLengths;
    private readonly int[] _firstEntry;

    public SendBatch(bool dualStack, int capacity = Tuning.BatchSize)
    {
        DualStack = dualStack;
        Capacity = capacity;
        _names = new NativeSlots(capacity, UdpEndpoint.MaxSockAddrSize);
        _headers = (Libc.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(Libc.MMsgHdr)));
        _iovecs = (Libc.IoVec*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(Libc.IoVec)));
        _control = (byte*)NativeMemory.AllocZeroed((nuint)(capacity * ControlSize));
        _nameLengths = new int[capacity];
        _firstEntry = new int[capacity + 1];
    }

    public bool DualStack { get; }

    public int Capacity { get; }

    /// <summary>Datagrams added since the last send.</summary>
    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    internal Libc.MMsgHdr* Headers => _headers;

    /// <summary>
    /// Queues <paramref name="length"/> bytes at <paramref name="data"/> for <paramref name="endpoint"/>;
    /// false if an IPv4-only socket cannot reach that (IPv6) endpoint. The caller sends when full.
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
        _nameLengths[i] = name.Length;
        _iovecs[i] = new Libc.IoVec { Base = data, Length = (nuint)length };
        return true;
    }

    /// <summary>
    /// Lays the entries out as messages: with <paramref name="segment"/>, runs of equal-size
    /// datagrams to one destination (the last may be shorter) become one UDP GSO message. Returns
    /// the number of messages; <see cref="FirstEntry"/> maps a message back to its first datagram.
    /// </summary>
    public int Build(bool segment, int fromEntry = 0)
    {
        int messages = 0;
        int i = fromEntry;
        while (i < Count)
        {
            int run = 1;
            int size = (int)_iovecs[i].Length;
            int bytes = size;
            if (segment)
            {
                while (i + run < Count && run < MaxSegments && CanJoin(i, i + run, size, bytes))
                {
                    bytes += (int)_iovecs[i + run].Length;
                    run++;
                    if ((int)_iovecs[i + run - 1].Length < size)
                    {
                        break;
                    }
                }
            }

            ref Libc.MMsgHdr message = ref _headers[messages];
            message = new Libc.MMsgHdr
            {
                Header = new Libc.MsgHdr { Name = _names.Pointer(i), NameLength = _nameLengths[i], Iov = &_iovecs[i], IovLength = (nuint)run },
            };
            if (run > 1)
            {
                byte* control = _control + (messages * ControlSize);
                *(ulong*)control = 18;                 // cmsg_len = CMSG_LEN(sizeof(uint16_t))
                *(int*)(control + 8) = SOL_UDP;
                *(int*)(control + 12) = UDP_SEGMENT;
                *(ushort*)(control + 16) = (ushort)size;
                message.Header.Control = control;
                message.Header.ControlLength = ControlSize;
            }

            _firstEntry[messages] = i;
            messages++;
            i += run;
        }

        _firstEntry[messages] = Count;
        return messages;
    }

    /// <summary>The index of the first datagram of message <paramref name="message"/> from the last <see cref="Build"/>.</summary>
    public int FirstEntry(int message) => _firstEntry[message];

    /// <summary>Datagrams in message <paramref name="message"/>.</summary>
    public int EntriesIn(int message) => _firstEntry[message + 1] - _firstEntry[message];

    public void Clear() => Count = 0;

    public void Dispose()
    {
        _names.Dispose();
        NativeMemory.Free(_headers);
        NativeMemory.Free(_iovecs);
        NativeMemory.Free(_control);
    }

    private bool CanJoin(int first, int next, int size, int bytes)
    {
        int length = (int)_iovecs[next].Length;
        return length <= size
            && bytes + length <= MaxSegmentedBytes
            && _nameLengths[next] == _nameLengths[first]
            && _names.Span(next)[.._nameLengths[next]].SequenceEqual(_names.Span(first)[.._nameLengths[first]]);
    }
}
