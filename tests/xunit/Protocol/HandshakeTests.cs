using Taltun.Protocol;
using static Taltun.Tests.Protocol.CorePair;

namespace Taltun.Tests.Protocol;

public class HandshakeTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HandshakeThenTransportBothWays(bool withPresharedKey)
    {
        using var pair = new CorePair(withPresharedKey);
        pair.Handshake();

        byte[] ping = Packets.Ipv4(Packets.A, Packets.B, 100);
        var sent = Send(pair.A, pair.PeerB, ping);
        Assert.Equal(ResultKind.WriteToNetwork, sent.Result.Kind);
        Assert.Equal(16 + 128 + 16, sent.Bytes!.Length);
        var delivered = Deliver(pair.B, sent.Bytes, SourceA);
        Assert.Equal(ResultKind.WriteToTunnel, delivered.Result.Kind);
        Assert.Equal(ping, delivered.Bytes);
        Assert.Same(pair.PeerA, delivered.Result.Peer);

        byte[] pong = Packets.Ipv4(Packets.B, Packets.A, 77);
        var back = Deliver(pair.A, Send(pair.B, pair.PeerA, pong).Bytes!, SourceB);
        Assert.Equal(pong, back.Bytes);

        Assert.NotNull(pair.PeerB.LatestHandshake);
        Assert.NotNull(pair.PeerA.LatestHandshake);
        Assert.True(pair.PeerA.RxBytes > 0 && pair.PeerA.TxBytes > 0);
    }

    [Fact]
    public void MismatchedPresharedKeysNeverCompleteAHandshake()
    {
        using var pair = new CorePair();
        pair.PeerA.PresharedKey = Taltun.Crypto.PresharedKey.Generate();

        byte[] response = Deliver(pair.B, Initiation(pair.A, pair.PeerB), SourceA).Bytes!;
        var result = Deliver(pair.A, response, SourceB);

        Assert.Equal(DropReason.BadResponse, result.Result.Reason);
        Assert.Null(pair.PeerB.CurrentKeypair);
    }

    [Fact]
    public void TheResponderWaitsForTheInitiatorsFirstPacketBeforeSending()
    {
        using var pair = new CorePair();
        byte[] response = Deliver(pair.B, Initiation(pair.A, pair.PeerB), SourceA).Bytes!;

        // b holds the session as "next": it cannot send yet, so a packet is staged.
        var early = Send(pair.B, pair.PeerA, Packets.Ipv4(Packets.B, Packets.A));
        Assert.NotEqual(ResultKind.WriteToTunnel, early.Result.Kind);
        Assert.Null(pair.PeerA.CurrentKeypair);

        var keepalive = Deliver(pair.A, response, SourceB);
        Deliver(pair.B, keepalive.Bytes!, SourceA);
        Assert.NotNull(pair.PeerA.CurrentKeypair);

        // Now the staged packet goes out and decrypts at a.
        var buffer = new byte[BufferSize];
        var staged = pair.B.TakeStaged(pair.PeerA, buffer);
        Assert.Equal(ResultKind.WriteToNetwork, staged.Kind);
        Assert.Equal(ResultKind.WriteToTunnel, Deliver(pair.A, buffer[..staged.Length], SourceB).Result.Kind);
    }

    [Fact]
    public void PacketsSentBeforeAnySessionAreStagedAndFlushedAfterTheHandshake()
    {
        using var pair = new CorePair();
        byte[][] packets = [.. Enumerable.Range(0, 3).Select(i => Packets.Ipv4(Packets.A, Packets.B, 40 + i))];

        var first = Send(pair.A, pair.PeerB, packets[0]);
        Assert.Equal(MessageLayout.InitiationSize, first.Result.Length);
        Assert.Equal(ResultKind.Done, Send(pair.A, pair.PeerB, packets[1]).Result.Kind); // one initiation per RekeyTimeout
        Send(pair.A, pair.PeerB, packets[2]);

        byte[] response = Deliver(pair.B, first.Bytes!, SourceA).Bytes!;
        Deliver(pair.B, Deliver(pair.A, response, SourceB).Bytes!, SourceA);

        var buffer = new byte[BufferSize];
        foreach (byte[] expected in packets)
        {
            var result = pair.A.TakeStaged(pair.PeerB, buffer);
            Assert.Equal(ResultKind.WriteToNetwork, result.Kind);
            Assert.Equal(expected, Deliver(pair.B, buffer[..result.Length], SourceA).Bytes);
        }

        Assert.Equal(ResultKind.Done, pair.A.TakeStaged(pair.PeerB, buffer).Kind);
    }

    [Fact]
    public void TheDataPathStagesAndLeavesTheInitiationToTick()
    {
        using var pair = new CorePair();
        var buffer = new byte[BufferSize];
        byte[] packet = Packets.Ipv4(Packets.A, Packets.B, 60);
        packet.CopyTo(buffer, MessageLayout.TransportHeaderSize);

        ProtocolResult staged = pair.A.Encapsulate(pair.PeerB, buffer, packet.Length);

        Assert.Equal((ResultKind.Done, pair.PeerB), (staged.Kind, staged.Peer));
        Assert.True(ProtocolCore.NeedsHandshake(pair.PeerB));
        ProtocolResult initiation = pair.A.Tick(pair.PeerB, buffer);
        Assert.Equal((ResultKind.WriteToNetwork, MessageLayout.InitiationSize), (initiation.Kind, initiation.Length));
        Assert.False(ProtocolCore.NeedsHandshake(pair.PeerB));

        byte[] response = Deliver(pair.B, buffer[..initiation.Length], SourceA).Bytes!;
        Deliver(pair.B, Deliver(pair.A, response, SourceB).Bytes!, SourceA);
        ProtocolResult sent = pair.A.TakeStaged(pair.PeerB, buffer);
        Assert.Equal(ResultKind.WriteToNetwork, sent.Kind);
        Assert.Equal(packet, Deliver(pair.B, buffer[..sent.Length], SourceA).Bytes);
    }

    [Fact]
    public void AReplayedInitiationIsRejectedAndChangesNothing()
    {
        using var pair = new CorePair();
        byte[] initiation = Initiation(pair.A, pair.PeerB);
        Assert.Equal(ResultKind.WriteToNetwork, Deliver(pair.B, initiation, SourceA).Result.Kind);
        pair.Clock.Advance(TimeSpan.FromSeconds(1));

        var replay = Deliver(pair.B, initiation, SourceA);

        Assert.Equal(DropReason.ReplayedInitiation, replay.Result.Reason);
        Assert.Equal(1, pair.B.Drops[DropReason.ReplayedInitiation]);
    }

    [Fact]
    public void AnInitiationFromAnUnknownKeyIsDroppedSilently()
    {
        using var pair = new CorePair();
        using var stranger = new ProtocolCore(Taltun.Crypto.PrivateKey.Generate(), pair.Clock);
        var strangersViewOfB = stranger.AddPeer(pair.BKey.PublicKey);
        strangersViewOfB.Endpoint = EndpointB;

        var result = Deliver(pair.B, Initiation(stranger, strangersViewOfB), SourceA);

        Assert.Equal(ResultKind.Dropped, result.Result.Kind);
        Assert.Equal(DropReason.UnknownPeer, result.Result.Reason);
    }

    [Fact]
    public void AnInitiationForAnotherKeyFailsMac1()
    {
        using var pair = new CorePair();
        using var other = new ProtocolCore(Taltun.Crypto.PrivateKey.Generate(), pair.Clock);

        var result = Deliver(other, Initiation(pair.A, pair.PeerB), SourceA);

        Assert.Equal(DropReason.BadMac1, result.Result.Reason);
    }

    [Fact]
    public void AResponseWithoutAnInitiationIsUnexpected()
    {
        using var pair = new CorePair();
        byte[] initiation = Initiation(pair.A, pair.PeerB);
        byte[] response = Deliver(pair.B, initiation, SourceA).Bytes!;
        Deliver(pair.A, response, SourceB);

        // The same response again: the handshake it answered is finished.
        var again = Deliver(pair.A, response, SourceB);

        Assert.Equal(DropReason.UnexpectedResponse, again.Result.Reason);
    }

    [Fact]
    public void UnderLoadAnInitiationWithoutCookieGetsACookieReplyAndTheRetryWithMac2Succeeds()
    {
        using var pair = new CorePair();
        pair.B.UnderLoad = true;

        var first = Deliver(pair.B, Initiation(pair.A, pair.PeerB), SourceA);
        Assert.Equal(ResultKind.WriteToNetwork, first.Result.Kind);
        Assert.Equal(MessageLayout.CookieReplySize, first.Bytes!.Length);
        Assert.Equal(MessageType.CookieReply, MessageLayout.ReadType(first.Bytes));
        Assert.Null(pair.PeerA.NextKeypair);

        Assert.Equal(ResultKind.Done, Deliver(pair.A, first.Bytes, SourceB).Result.Kind);
        pair.Clock.Advance(TimeSpan.FromSeconds(6));

        var second = Deliver(pair.B, Initiation(pair.A, pair.PeerB), SourceA);
        Assert.Equal(MessageLayout.ResponseSize, second.Bytes!.Length);

        // The cookie is bound to the source address: from elsewhere it is refused again.
        pair.Clock.Advance(TimeSpan.FromSeconds(6));
        var elsewhere = Deliver(pair.B, Initiation(pair.A, pair.PeerB), SourceB);
        Assert.Equal(MessageLayout.CookieReplySize, elsewhere.Bytes!.Length);
    }

    [Fact]
    public void CrossingInitiationsResolveOnTheNextRetry()
    {
        using var pair = new CorePair();
        byte[] fromA = Initiation(pair.A, pair.PeerB);
        byte[] fromB = Initiation(pair.B, pair.PeerA);

        // Each side answers the other's initiation, which replaces its own handshake in flight,
        // so each response meets a side that no longer waits for it (as in WireGuard).
        byte[] responseFromB = Deliver(pair.B, fromA, SourceA).Bytes!;
        byte[] responseFromA = Deliver(pair.A, fromB, SourceB).Bytes!;
        Assert.Equal(ResultKind.Dropped, Deliver(pair.B, responseFromA, SourceA).Result.Kind);
        Assert.Equal(ResultKind.Dropped, Deliver(pair.A, responseFromB, SourceB).Result.Kind);

        // The retransmit timer of the first initiator settles it.
        pair.Clock.Advance(ProtocolConstants.RekeyTimeout + TimeSpan.FromMilliseconds(400));
        var retry = Tick(pair.A, pair.PeerB);
        Assert.Equal(MessageType.Initiation, MessageLayout.ReadType(retry.Bytes));
        byte[] response = Deliver(pair.B, retry.Bytes!, SourceA).Bytes!;
        Deliver(pair.B, Deliver(pair.A, response, SourceB).Bytes!, SourceA);

        byte[] packet = Packets.Ipv4(Packets.B, Packets.A);
        Assert.Equal(packet, Deliver(pair.A, Send(pair.B, pair.PeerA, packet).Bytes!, SourceB).Bytes);
        packet = Packets.Ipv4(Packets.A, Packets.B);
        Assert.Equal(packet, Deliver(pair.B, Send(pair.A, pair.PeerB, packet).Bytes!, SourceA).Bytes);
    }
}
