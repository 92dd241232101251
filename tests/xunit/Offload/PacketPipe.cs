using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Taltun.Interop;
using Taltun.Offload;

namespace Taltun.Tests.Offload;

/// <summary>
/// Stands in for a TUN device with offloads: what is written to it comes back as (virtio header,
/// packet) pairs, each packet's length read from its IP header. A pipe keeps writes in order.
/// </summary>
internal sealed partial class PacketPipe : IDisposable
{
    private const int FSetPipeSize = 1031;

    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _read;

    public PacketPipe()
    {
        Span<int> fds = stackalloc int[2];
        if (Pipe2(ref MemoryMarshal.GetReference(fds), 0x800 /* O_NONBLOCK */) != 0)
        {
            throw new InvalidOperationException($"pipe2 failed: {Marshal.GetLastPInvokeError()}");
        }

        Fcntl(fds[1], FSetPipeSize, 1 << 20);
        _read = new Microsoft.Win32.SafeHandles.SafeFileHandle(fds[0], ownsHandle: true);
        Write = new FileDescriptor(fds[1]);
    }

    public FileDescriptor Write { get; }

    /// <summary>Everything written so far, as (header, packet) pairs.</summary>
    public List<(VirtioNetHeader Header, byte[] Packet)> ReadAll()
    {
        var result = new List<(VirtioNetHeader, byte[])>();
        Span<byte> data = ReadBytes();
        while (data.Length > 0)
        {
            VirtioNetHeader header = VirtioNetHeader.Read(data);
            ReadOnlySpan<byte> packet = data[VirtioNetHeader.Size..];
            int length = packet[0] >> 4 == 4 ? BinaryPrimitives.ReadUInt16BigEndian(packet[2..]) : BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) + 40;
            result.Add((header, packet[..length].ToArray()));
            data = data[(VirtioNetHeader.Size + length)..];
        }

        return result;
    }

    /// <summary>Everything written so far as raw bytes, whether or not it frames as packets.</summary>
    public Span<byte> ReadBytes()
    {
        var buffer = new byte[1 << 20];
        int total = 0;
        while (total < buffer.Length)
        {
            int read = (int)Read(_read.DangerousGetHandle(), ref buffer[total], buffer.Length - total);
            if (read <= 0)
            {
                break;
            }

            total += read;
        }

        return buffer.AsSpan(0, total);
    }

    public void Dispose()
    {
        Write.Dispose();
        _read.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int Pipe2(ref int fds, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(nint fd, ref byte buffer, nint count);
}
