using System.Buffers.Binary;
using CsCheck;

namespace Taltun.Tests.Fuzz;

/// <summary>
/// Mutation fuzzing driven by CsCheck: inputs are valid seeds changed by a few mutations of the
/// kinds that find parser bugs — flipped bits, boundary bytes and lengths written at random
/// places, bytes inserted, removed or repeated, cuts, and splices of two seeds. CsCheck runs the
/// target for a time budget and shrinks any failure to a small reproducible case.
/// </summary>
internal static class Mutator
{
    private static readonly byte[] InterestingBytes = [0, 1, 0x7f, 0x80, 0xff, 0x40, 0x45, 0x60];
    private static readonly ushort[] InterestingWords = [0, 1, 19, 20, 40, 0x7fff, 0x8000, 0xffff, 1280, 1420, 9000, 65535];

    /// <summary>A seed with one to eight mutations, or (a tenth of the time) random bytes of a seed's size.</summary>
    public static Gen<byte[]> Mutants(params byte[][] seeds) =>
        Gen.Frequency(
            (9, Gen.Int[0, seeds.Length - 1].SelectMany(i => Mutation.Array[1, 8].Select(ms => Apply(seeds, seeds[i], ms)))),
            (1, Gen.Int[0, seeds.Length - 1].SelectMany(i => Gen.Byte.Array[seeds[i].Length])));

    /// <summary>Seconds per fuzz target: a short run in CI, more from bench/fuzz.sh (TALTUN_FUZZ_SECONDS).</summary>
    public static int Seconds => int.TryParse(Environment.GetEnvironmentVariable("TALTUN_FUZZ_SECONDS"), out int seconds) && seconds > 0 ? seconds : 3;

    private static Gen<(int Kind, int Position, int Value)> Mutation => Gen.Select(Gen.Int[0, 8], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue]);

    private static byte[] Apply(byte[][] seeds, byte[] seed, (int Kind, int Position, int Value)[] mutations)
    {
        var bytes = new List<byte>(seed);
        Span<byte> word = stackalloc byte[2];
        foreach ((int kind, int position, int value) in mutations)
        {
            int at = bytes.Count == 0 ? 0 : position % bytes.Count;
            switch (kind)
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << (value % 8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = InterestingBytes[value % InterestingBytes.Length];
                    break;
                case 2 when bytes.Count > 1:
                    BinaryPrimitives.WriteUInt16BigEndian(word, InterestingWords[value % InterestingWords.Length]);
                    bytes[at % (bytes.Count - 1)] = word[0];
                    bytes[(at % (bytes.Count - 1)) + 1] = word[1];
                    break;
                case 3:
                    bytes.InsertRange(at, Enumerable.Repeat((byte)value, 1 + (value % 16)));
                    break;
                case 4 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(1 + (value % 16), bytes.Count - at));
                    break;
                case 5 when bytes.Count > 0:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 6 when bytes.Count > 0:
                    int length = Math.Min(1 + (value % 32), bytes.Count - at);
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
                case 7:
                    byte[] other = seeds[value % seeds.Length];
                    int from = other.Length == 0 ? 0 : value % other.Length;
                    bytes.RemoveRange(at, bytes.Count - at);
                    bytes.AddRange(other.AsSpan(from).ToArray());
                    break;
                case 8 when bytes.Count > 0:
                    bytes[at] = (byte)value;
                    break;
            }
        }

        return [.. bytes];
    }
}
