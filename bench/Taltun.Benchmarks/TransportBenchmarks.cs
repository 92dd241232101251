using System.Net;
using BenchmarkDotNet.Attributes;
using NSec.Cryptography;
using Taltun.Crypto;
using Taltun.Protocol;
using Taltun.Transport;

namespace Taltun.Benchmarks;

/// <summary>
/// One 1420-byte packet encrypted by one core and decrypted by the other, against the same two
/// ChaCha20-Poly1305 operations called on NSec directly: the ratio is the protocol's overhead.
/// </summary>
[MemoryDiagnoser]
public class TransportBenchmarks : IDisposable
{
    private const int PacketSize = 1420;
    private readonly byte[] _buffer = new byte[2048];
    private readonly byte[] _output = new byte[2048];
    private readonly byte[] _packet = new byte[PacketSize];
    private readonly byte[] _source = [10, 0, 0, 1, 0, 80];
    private readonly byte[] _nonce = new byte[12];
    private ProtocolCore _a = null!;
    private ProtocolCore _b = null!;
    private Peer _peerB = null!;
    private Key _rawKey = null!;

    [GlobalSetup]
    public void Setup()
    {
        var clock = new FrozenClock();
        var aKey = PrivateKey.Generate();
        var bKey = PrivateKey.Generate();
        _a = new ProtocolCore(aKey, clock);
        _b = new ProtocolCore(bKey, clock);
        _peerB = _a.AddPeer(bKey.PublicKey);
        Peer peerA = _b.AddPeer(aKey.PublicKey);
        _a.AllowedIps.Insert(IPNetwork.Parse("10.0.0.2/32"), _peerB);
        _b.AllowedIps.Insert(IPNetwork.Parse("10.0.0.1/32"), peerA);
        _peerB.Endpoint = new UdpEndpoint(IPEndPoint.Parse("192.0.2.1:9000"));

        var initiation = _a.Initiate(_peerB, _buffer);
        var response = _b.Receive(_buffer, initiation.Length, _source, _output);
        _output.AsSpan(0, response.Length).CopyTo(_buffer);
        var keepalive = _a.Receive(_buffer, response.Length, _source, _output);
        _output.AsSpan(0, keepalive.Length).CopyTo(_buffer);
        _b.Receive(_buffer, keepalive.Length, _source, _output);

        _packet[0] = 0x45;
        _packet[2] = PacketSize >> 8;
        _packet[3] = PacketSize & 0xff;
        _packet[12] = 10; _packet[15] = 1;
        _packet[16] = 10; _packet[19] = 2;
        _rawKey = Key.Create(AeadAlgorithm.ChaCha20Poly1305);
    }

    [Benchmark(Baseline = true, Description = "NSec seal + open")]
    public bool RawNsec()
    {
        Span<byte> payload = _buffer.AsSpan(16, PacketSize + 16);
        _packet.CopyTo(payload);
        AeadAlgorithm.ChaCha20Poly1305.Encrypt(_rawKey, _nonce, default, payload[..PacketSize], payload);
        return AeadAlgorithm.ChaCha20Poly1305.Decrypt(_rawKey, _nonce, default, payload, payload[..PacketSize]);
    }

    [Benchmark(Description = "Taltun encapsulate + receive")]
    public int Taltun()
    {
        _packet.CopyTo(_buffer.AsSpan(16));
        var sent = _a.Encapsulate(_peerB, _buffer, PacketSize);
        return (int)_b.Receive(_buffer, sent.Length, _source, _output).Kind;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        GC.SuppressFinalize(this);
    }
}
