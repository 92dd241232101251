using System.Net;
using Taltun.Crypto;
using Taltun.Protocol;
using Taltun.Transport;
using static Taltun.Tests.Protocol.CorePair;

namespace Taltun.Tests.Protocol;

/// <summary>
/// A hub relays each datagram where it arrived. With UDP GRO the kernel hands over a train of
/// datagrams back to back, so a datagram that is not the last has exactly its own size as room.
/// </summary>
public class RelayInPlaceTests
{
    [Fact]
    public void ASmallDatagramInTheMiddleOfATrainIsDecryptedAndReencryptedInItsOwnPlace()
    {
        var clock = new ManualTimeProvider();
        using var hubKey = PrivateKey.Generate();
        using var spokeAKey = PrivateKey.Generate();
        using var spokeBKey = PrivateKey.Generate();
        using var hub = new ProtocolCore(hubKey, clock);
        using var spokeA = new ProtocolCore(spokeAKey, clock);
        using var spokeB = new ProtocolCore(spokeBKey, clock);
        Peer aAtHub = Connect(hub, spokeA, "10.0.0.2/32", "10.0.0.0/24");
        Peer bAtHub = Connect(hub, spokeB, "10.0.0.3/32", "10.0.0.0/24");

        // A train of three datagrams from spoke A, each a 64-byte UDP payload to spoke B (92-byte IP packets).
        const int DatagramSize = MessageLayout.TransportHeaderSize + 96 + MessageLayout.TagSize;
        Peer hubAtA = spokeA.Peers.Single();
        byte[] train = [.. Enumerable.Range(0, 3).SelectMany(i => Send(spokeA, hubAtA, Packets.Ipv4([10, 0, 0, 2], [10, 0, 0, 3], 72, (byte)i)).Bytes!)];
        Assert.Equal(3 * DatagramSize, train.Length);
        byte[] neighbours = [.. train[..DatagramSize], .. train[(2 * DatagramSize)..]];

        Span<byte> middle = train.AsSpan(DatagramSize, DatagramSize);
        ProtocolResult delivered = hub.Receive(middle, DatagramSize, SourceA, new byte[BufferSize]);
        Assert.Equal((ResultKind.WriteToTunnel, aAtHub), (delivered.Kind, delivered.Peer));
        Assert.Same(bAtHub, hub.Route(middle.Slice(delivered.Offset, delivered.Length)));

        ProtocolResult relayed = hub.Encapsulate(bAtHub, middle, delivered.Length);

        Assert.Equal((ResultKind.WriteToNetwork, DatagramSize), (relayed.Kind, relayed.Length));
        Assert.Equal(neighbours, (byte[])[.. train[..DatagramSize], .. train[(2 * DatagramSize)..]]);
        byte[] atB = Deliver(spokeB, middle[..relayed.Length].ToArray(), SourceB).Bytes!;
        Assert.Equal(Packets.Ipv4([10, 0, 0, 2], [10, 0, 0, 3], 72, 1), atB);
    }

    /// <summary>A spoke and the hub know each other and complete a handshake; returns the hub's view of the spoke.</summary>
    private static Peer Connect(ProtocolCore hub, ProtocolCore spoke, string spokeAddress, string hubSubnet)
    {
        Peer spokeAtHub = hub.AddPeer(spoke.PublicKey);
        Peer hubAtSpoke = spoke.AddPeer(hub.PublicKey);
        hub.AllowedIps.Insert(IPNetwork.Parse(spokeAddress), spokeAtHub);
        spoke.AllowedIps.Insert(IPNetwork.Parse(hubSubnet), hubAtSpoke);
        hubAtSpoke.Endpoint = new UdpEndpoint(IPEndPoint.Parse("10.1.1.1:9000"));
        byte[] response = Deliver(hub, Initiation(spoke, hubAtSpoke), SourceA).Bytes!;
        Deliver(hub, Deliver(spoke, response, SourceB).Bytes!, SourceA);
        return spokeAtHub;
    }
}
