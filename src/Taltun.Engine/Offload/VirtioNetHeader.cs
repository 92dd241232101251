using System.Buffers.Binary;

namespace Taltun.Offload;

/// <summary>
/// struct virtio_net_hdr, the 10 bytes in front of every packet on a TUN device opened with
/// IFF_VNET_HDR: whether the packet is a segmentation super-packet (and how to cut it) and
/// whether a checksum is left to complete. Native (little-endian) byte order, as the legacy TUN
/// interface uses on x86-64 and arm64.
/// </summary>
internal struct VirtioNetHeader
{
    public const int Size = 10;

    public const byte NeedsChecksum = 1;

    public const byte GsoNone = 0;
    public const byte GsoTcpV4 = 1;
    public const byte GsoUdp = 3;
    public const byte GsoTcpV6 = 4;
    public const byte GsoUdpL4 = 5;
    public const byte GsoEcn = 0x80;

    public byte Flags;
    public byte GsoType;
    public ushort HeaderLength;
    public ushort GsoSize;
    public ushort ChecksumStart;
    public ushort ChecksumOffset;

    public static VirtioNetHeader Read(ReadOnlySpan<byte> bytes) => new()
    {
        Flags = bytes[0],
        GsoType = bytes[1],
        HeaderLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[2..]),
        GsoSize = BinaryPrimitives.ReadUInt16LittleEndian(bytes[4..]),
        ChecksumStart = BinaryPrimitives.ReadUInt16LittleEndian(bytes[6..]),
        ChecksumOffset = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]),
    };

    public readonly void Write(Span<byte> bytes)
    {
        bytes[0] = Flags;
        bytes[1] = GsoType;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[2..], HeaderLength);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[4..], GsoSize);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[6..], ChecksumStart);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[8..], ChecksumOffset);
    }
}
