using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Taltun.Offload;

/// <summary>
/// The Internet checksum (RFC 1071) for IP headers and TCP/UDP segments, which Taltun computes
/// itself when it splits the kernel's super-packets and checks before it merges packets for the
/// kernel. Sums are kept unfolded in 64 bits so parts can be added. Stateless; thread-safe.
/// </summary>
internal static class Checksum
{
    /// <summary>Adds <paramref name="data"/> as big-endian 16-bit words (an odd last byte padded with zero) to <paramref name="sum"/>.</summary>
    public static ulong Add(ReadOnlySpan<byte> data, ulong sum = 0)
    {
        // 32-bit big-endian words sum to the same one's-complement total as 16-bit ones, twice as fast.
        ReadOnlySpan<uint> words = MemoryMarshal.Cast<byte, uint>(data);
        foreach (uint word in words)
        {
            sum += BinaryPrimitives.ReverseEndianness(word);
        }

        int i = words.Length * 4;
        if (data.Length - i >= 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
            i += 2;
        }

        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
        }

        return sum;
    }

    /// <summary>The sum of the TCP/UDP pseudo-header: addresses (4 or 16 bytes each), protocol, and the transport length.</summary>
    public static ulong PseudoHeader(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, byte protocol, int length) =>
        Add(destination, Add(source)) + protocol + (ulong)length;

    /// <summary>Folds a sum to 16 bits without complementing it (what a partial checksum field holds).</summary>
    public static ushort Fold(ulong sum)
    {
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)sum;
    }

    /// <summary>The checksum to store: the folded sum, complemented.</summary>
    public static ushort Finish(ulong sum) => (ushort)~Fold(sum);

    /// <summary>Recomputes an IPv4 header's checksum in place.</summary>
    public static void SetIpv4Header(Span<byte> header)
    {
        header[10] = 0;
        header[11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], Finish(Add(header)));
    }
}
