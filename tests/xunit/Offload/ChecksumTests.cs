using CsCheck;
using Taltun.Offload;

namespace Taltun.Tests.Offload;

public sealed class ChecksumTests
{
    [Fact]
    public void SumsMatchTheObviousSixteenBitLoopForAnyLengthAndOffset()
    {
        Gen.Byte.Array[0, 3000].Select(Gen.Int[0, 7], Gen.ULong[0, uint.MaxValue]).Sample((data, skip, start) =>
        {
            ReadOnlySpan<byte> span = data.AsSpan(Math.Min(skip, data.Length));
            ushort expected = TestPackets.Sum([.. FoldBytes(start), .. span.ToArray()]);
            return Checksum.Fold(Checksum.Add(span, start)) == expected || (expected == 0xffff && Checksum.Fold(Checksum.Add(span, start)) == 0);
        }, iter: 2000);
    }

    [Fact]
    public void TheRfc1071ExampleSums()
    {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
        Assert.Equal(0xddf2, Checksum.Fold(Checksum.Add([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7])));
    }

    // A starting sum as the 16-bit words that add up to it (its folded value, big-endian).
    private static byte[] FoldBytes(ulong start)
    {
        ushort folded = Checksum.Fold(start);
        return [(byte)(folded >> 8), (byte)folded];
    }
}
