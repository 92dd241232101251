using System.Buffers.Binary;
using System.Text;

namespace Taltun.Netlink;

/// <summary>
/// Builds one rtnetlink request: nlmsghdr, the family header, then attributes, each aligned
/// to 4 bytes as netlink(7) requires. Integers are in host (little-endian) order. Not
/// thread-safe: one builder per request.
/// </summary>
internal sealed class NetlinkMessage
{
    public const int HeaderSize = 16;

    // nlmsghdr flags
    public const ushort Request = 0x1;
    public const ushort Ack = 0x4;
    public const ushort Replace = 0x100;
    public const ushort Exclusive = 0x200;
    public const ushort Create = 0x400;

    private readonly byte[] _buffer = new byte[512];
    private int _length = HeaderSize;

    public NetlinkMessage(ushort type, ushort flags)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(6), flags);
    }

    public NetlinkMessage Bytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_buffer.AsSpan(_length));
        _length += Align(value.Length);
        return this;
    }

    public NetlinkMessage Attribute(ushort type, ReadOnlySpan<byte> value)
    {
        int length = 4 + value.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(_length), (ushort)length);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(_length + 2), type);
        value.CopyTo(_buffer.AsSpan(_length + 4));
        _length += Align(length);
        return this;
    }

    public NetlinkMessage Attribute(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return Attribute(type, bytes);
    }

    public NetlinkMessage Attribute(ushort type, string value)
    {
        byte[] text = Encoding.ASCII.GetBytes(value + "\0");
        return Attribute(type, text);
    }

    /// <summary>The finished message with its length and sequence number filled in.</summary>
    public ReadOnlySpan<byte> Finish(uint sequence)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer, (uint)_length);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(8), sequence);
        return _buffer.AsSpan(0, _length);
    }

    public static int Align(int length) => (length + 3) & ~3;
}
