using BenchmarkDotNet.Attributes;
using Org.BouncyCastle.Crypto.Digests;
using Taltun.Crypto;

namespace Taltun.Benchmarks;

/// <summary>
/// One MixHash-sized BLAKE2s (64 bytes in, 32 out) and one Noise KDF step, the engine's own
/// hash beside BouncyCastle's, which the engine used before.
/// </summary>
[MemoryDiagnoser]
public class Blake2sBenchmarks
{
    private readonly byte[] _input = new byte[64];
    private readonly byte[] _output = new byte[32];

    [Benchmark(Baseline = true, Description = "BLAKE2s-256 of 64 bytes, BouncyCastle")]
    public byte BouncyCastleHash()
    {
        var digest = new Blake2sDigest(256);
        digest.BlockUpdate(_input, 0, _input.Length);
        digest.DoFinal(_output, 0);
        return _output[0];
    }

    [Benchmark(Description = "BLAKE2s-256 of 64 bytes, Taltun")]
    public byte TaltunHash()
    {
        Blake2s.Hash(_output, _input);
        return _output[0];
    }

    [Benchmark(Description = "Noise KDF with two outputs, Taltun")]
    public byte TaltunKdf()
    {
        Span<byte> second = stackalloc byte[32];
        Blake2s.Kdf(_output, _input, _output, second);
        return second[0];
    }
}
