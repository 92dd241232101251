using System.Net;
using Taltun.Crypto;
using Taltun.Protocol;
using Taltun.Transport;

namespace Taltun.Tests.Protocol;

/// <summary>
/// Two protocol cores wired together in memory: "a" (10.0.0.1) and "b" (10.0.0.2), each with
/// the other as its only peer. Messages move only when a test moves them.
/// </summary>
internal sealed class CorePair : IDisposable
{
    public const int BufferSize = 2048;

    public CorePair(bool withPresharedKey = false, TimeSpan persistentKeepalive = default)
    {
        Clock = new ManualTimeProvider();
        AKey = PrivateKey.Generate();
        BKey = PrivateKey.Generate();
        A = new ProtocolCore(AKey, Clock);
        B = new ProtocolCore(BKey, Clock);
        PresharedKey? psk = withPresharedKey ? PresharedKey.Generate() : null;
        PeerB = A.AddPeer(BKey.PublicKey, psk, persistentKeepalive);
        PeerA = B.AddPeer(AKey.PublicKey, psk, persistentKeepalive);
        A.AllowedIps.Insert(IPNetwork.Parse("10.0.0.2/32"), PeerB);
        B.AllowedIps.Insert(IPNetwork.Parse("10.0.0.1/32"), PeerA);
        PeerB.Endpoint = EndpointB;
        PeerA.Endpoint = EndpointA;
    }

    public ManualTimeProvider Clock { get; }

    public PrivateKey AKey { get; }

    public PrivateKey BKey { get; }

    public ProtocolCore A { get; }

    public ProtocolCore B { get; }

    /// <summary>A's view of b.</summary>
    public Peer PeerB { get; }

    /// <summary>B's view of a.</summary>
    public Peer PeerA { get; }

    /// <summary>Where each core believes the other is; the cores only need to know there is an endpoint.</summary>
    public static readonly UdpEndpoint EndpointA = new(IPEndPoint.Parse("10.1.1.1:9000"));
    public static readonly UdpEndpoint EndpointB = new(IPEndPoint.Parse("10.1.1.2:9000"));

    public static readonly byte[] SourceA = [10, 1, 1, 1, 0x23, 0x28];
    public static readonly byte[] SourceB = [10, 1, 1, 2, 0x23, 0x28];

    /// <summary>A complete handshake started by a, with the confirming keepalive delivered to b.</summary>
    public void Handshake()
    {
        byte[] initiation = Initiation(A, PeerB);
        byte[] response = Deliver(B, initiation, SourceA).Bytes!;
        var confirm = Deliver(A, response, SourceB);
        Assert.Equal(ResultKind.WriteToNetwork, confirm.Result.Kind);
        var keepalive = Deliver(B, confirm.Bytes!, SourceA);
        Assert.Equal(ResultKind.Done, keepalive.Result.Kind);
    }

    public static byte[] Initiation(ProtocolCore core, Peer peer)
    {
        var buffer = new byte[BufferSize];
        var result = core.Initiate(peer, buffer);
        Assert.Equal(ResultKind.WriteToNetwork, result.Kind);
        Assert.Equal(MessageLayout.InitiationSize, result.Length);
        return buffer[..result.Length];
    }

    /// <summary>Hands a datagram to a core; Bytes is what it asks to send or deliver, if anything.</summary>
    public static (ProtocolResult Result, byte[]? Bytes) Deliver(ProtocolCore core, byte[] datagram, byte[] source)
    {
        var buffer = new byte[BufferSize];
        var output = new byte[BufferSize];
        datagram.CopyTo(buffer, 0);
        var result = core.Receive(buffer, datagram.Length, source, output);
        byte[]? bytes = result.Kind switch
        {
            ResultKind.WriteToNetwork => output.AsSpan(result.Offset, result.Length).ToArray(),
            ResultKind.WriteToTunnel => buffer.AsSpan(result.Offset, result.Length).ToArray(),
            _ => null,
        };
        return (result, bytes);
    }

    /// <summary>
    /// Encrypts an IP packet as the device does: without a session the packet is staged and the
    /// handshake it asks for is made at once (the device's control thread would). Returns the
    /// result and the datagram (the packet, or that initiation) if one is to be sent.
    /// </summary>
    public static (ProtocolResult Result, byte[]? Bytes) Send(ProtocolCore core, Peer peer, byte[] packet)
    {
        var buffer = new byte[BufferSize];
        packet.CopyTo(buffer, MessageLayout.TransportHeaderSize);
        var result = core.Encapsulate(peer, buffer, packet.Length);
        if (result.Kind == ResultKind.Done && ProtocolCore.NeedsHandshake(peer))
        {
            result = core.Tick(peer, buffer);
        }

        return (result, result.Kind == ResultKind.WriteToNetwork ? buffer[..result.Length] : null);
    }

    public static (ProtocolResult Result, byte[]? Bytes) Tick(ProtocolCore core, Peer peer)
    {
        var buffer = new byte[BufferSize];
        var result = core.Tick(peer, buffer);
        return (result, result.Kind == ResultKind.WriteToNetwork ? buffer[..result.Length] : null);
    }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }
}
