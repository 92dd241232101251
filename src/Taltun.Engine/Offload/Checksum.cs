using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
        // The one's-complement sum does not depend on byte order (RFC 1071, 2.B): sum native
        // little-endian words, eight 32-bit lanes at a time into 64-bit lanes, then swap the
        // folded result's bytes once.
        ulong native = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && data.Length >= 64)
        {
            Vector256<ulong> low = Vector256<ulong>.Zero;
            Vector256<ulong> high = Vector256<ulong>.Zero;
            ref byte start = ref MemoryMarshal.GetReference(data);
            for (; i + 32 <= data.Length; i += 32)
            {
                Vector256<uint> words = Vector256.LoadUnsafe(ref start, (nuint)i).AsUInt32();
                (Vector256<ulong> a, Vector256<ulong> b) = Vector256.Widen(words);
                low += a;
                high += b;
            }

            native = Vector256.Sum(low + high);
        }

        ReadOnlySpan<uint> rest = MemoryMarshal.Cast<byte, uint>(data[i..]);
        foreach (uint word in rest)
        {
            native += word;
        }

        i += rest.Length * 4;
        if (data.Length - i >= 2)
        {
            native += BinaryPrimitives.ReadUInt16LittleEndian(data[i..]);
            i += 2;
        }

        if (i < data.Length)
        {
            native += data[i];
        }

        return sum + BinaryPrimitives.ReverseEndianness(Fold(native));
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
