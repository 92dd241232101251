using System.Buffers.Binary;

namespace Taltun.Routing;

/// <summary>Updates an Internet checksum after one 16-bit word changed, without summing the packet again. Stateless; thread-safe.</summary>
internal static class IncrementalChecksum
{
    /// <summary>HC' = ~(~HC + ~m + m'), RFC 1624 equation 3: the word covered by the checksum at <paramref name="field"/> changed from m to m'.</summary>
    public static void Replace(Span<byte> field, ushort old, ushort replacement)
    {
        uint sum = (uint)(ushort)~BinaryPrimitives.ReadUInt16BigEndian(field) + (ushort)~old + replacement;
        sum = (sum & 0xffff) + (sum >> 16);
        sum = (sum & 0xffff) + (sum >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(field, (ushort)~sum);
    }
}
