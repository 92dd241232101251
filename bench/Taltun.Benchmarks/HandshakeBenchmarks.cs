using System.Net;
using BenchmarkDotNet.Attributes;
using Taltun.Crypto;
using Taltun.Protocol;
using Taltun.Transport;

namespace Taltun.Benchmarks;

/// <summary>
/// The responder's cost of one handshake: check mac1, consume the initiation, create the
/// response and the session. The same initiation is replayed, with the replay guard reset
/// between operations, so only the responder's work is timed. Beside it, what a flooded
/// responder spends instead on an initiation without a cookie: mac1, mac2 and a cookie reply.
/// </summary>
[MemoryDiagnoser]
public class HandshakeBenchmarks : IDisposable
{
    private readonly byte[] _initiation = new byte[148];
    private readonly byte[] _buffer = new byte[2048];
    private readonly byte[] _output = new byte[2048];
    private readonly byte[] _source = [10, 0, 0, 1, 0, 80];
    private ProtocolCore _responder = null!;
    private Peer _initiatorAtResponder = null!;

    [GlobalSetup]
    public void Setup()
    {
        var initiatorKey = PrivateKey.Generate();
        var responderKey = PrivateKey.Generate();
        var initiator = new ProtocolCore(initiatorKey, TimeProvider.System);
        _responder = new ProtocolCore(responderKey, TimeProvider.System);
        Peer responderAtInitiator = initiator.AddPeer(responderKey.PublicKey);
        responderAtInitiator.Endpoint = new UdpEndpoint(IPEndPoint.Parse("192.0.2.1:9000"));
        _initiatorAtResponder = _responder.AddPeer(initiatorKey.PublicKey);
        initiator.Initiate(responderAtInitiator, _initiation);
    }

    [Benchmark(Description = "responder under load: initiation without mac2 in, cookie reply out")]
    public int CookieReply()
    {
        _responder.UnderLoad = true;
        _initiation.CopyTo(_buffer, 0);
        int kind = (int)_responder.Receive(_buffer, _initiation.Length, _source, _output).Kind;
        _responder.UnderLoad = false;
        return kind;
    }

    [Benchmark(Description = "responder: initiation in, response out")]
    public int Respond()
    {
        _initiatorAtResponder.Handshake.LatestTimestamp.Clear();
        _initiatorAtResponder.Handshake.LastInitiationConsumed = null;
        _initiation.CopyTo(_buffer, 0);
        return (int)_responder.Receive(_buffer, _initiation.Length, _source, _output).Kind;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _responder.Dispose();
        GC.SuppressFinalize(this);
    }
}
