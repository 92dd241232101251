using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using NSec.Cryptography;

namespace Taltun.Benchmarks;

/// <summary>
/// ChaCha20-Poly1305 on a 1420-byte packet, seal then open in place: libsodium (through NSec)
/// against OpenSSL (through System.Security.Cryptography), which has AVX-512 code paths.
/// </summary>
[MemoryDiagnoser]
public class AeadBenchmarks : IDisposable
{
    private const int PacketSize = 1420;
    private readonly byte[] _buffer = new byte[PacketSize + 16];
    private readonly byte[] _nonce = new byte[12];
    private Key _nsec = null!;
    private System.Security.Cryptography.ChaCha20Poly1305 _openSsl = null!;

    [GlobalSetup]
    public void Setup()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        _nsec = Key.Import(AeadAlgorithm.ChaCha20Poly1305, key, KeyBlobFormat.RawSymmetricKey);
        _openSsl = new System.Security.Cryptography.ChaCha20Poly1305(key);
    }

    [Benchmark(Baseline = true, Description = "libsodium (NSec)")]
    public bool Libsodium()
    {
        Span<byte> data = _buffer;
        AeadAlgorithm.ChaCha20Poly1305.Encrypt(_nsec, _nonce, default, data[..PacketSize], data);
        return AeadAlgorithm.ChaCha20Poly1305.Decrypt(_nsec, _nonce, default, data, data[..PacketSize]);
    }

    [Benchmark(Description = "OpenSSL (System.Security.Cryptography)")]
    public bool OpenSsl()
    {
        Span<byte> data = _buffer;
        _openSsl.Encrypt(_nonce, data[..PacketSize], data[..PacketSize], data[PacketSize..]);
        try
        {
            _openSsl.Decrypt(_nonce, data[..PacketSize], data[PacketSize..], data[..PacketSize]);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _openSsl.Dispose();
        GC.SuppressFinalize(this);
    }
}
