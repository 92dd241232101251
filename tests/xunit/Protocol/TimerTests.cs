using Taltun.Protocol;
using static Taltun.Tests.Protocol.CorePair;

namespace Taltun.Tests.Protocol;

/// <summary>The protocol's timers, driven by a test clock: minutes pass instantly.</summary>
public class TimerTests
{
    private static readonly TimeSpan Jitter = TimeSpan.FromMilliseconds(400);

    [Fact]
    public void AnUnansweredInitiationIsRetriedEveryRekeyTimeoutAndAbandonedAfterTwentyAttempts()
    {
        using var pair = new CorePair();
        Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B));
        Assert.Equal(1, pair.PeerB.StagedCount);

        pair.Clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(ResultKind.Done, Tick(pair.A, pair.PeerB).Result.Kind);

        int retries = 0;
        for (int i = 0; i < 40; i++)
        {
            pair.Clock.Advance(ProtocolConstants.RekeyTimeout + Jitter);
            var tick = Tick(pair.A, pair.PeerB);
            if (tick.Result.Kind != ResultKind.WriteToNetwork)
            {
                break;
            }

            Assert.Equal(MessageType.Initiation, MessageLayout.ReadType(tick.Bytes));
            retries++;
        }

        // wireguard-go's rule: retries while at most MaxTimerHandshakes (18) were made, so 1 + 19 initiations.
        Assert.Equal(ProtocolConstants.MaxTimerHandshakes + 1, retries);
        Assert.Equal(0, pair.PeerB.StagedCount);
        Assert.Equal(1, pair.PeerB.Drops[DropReason.HandshakeGaveUp]);
    }

    [Fact]
    public void AReceiverThatHasNothingToSendAnswersWithAKeepaliveAfter10Seconds()
    {
        using var pair = new CorePair();
        pair.Handshake();
        Deliver(pair.B, Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B)).Bytes!, SourceA);

        pair.Clock.Advance(TimeSpan.FromSeconds(9.5));
        Assert.Equal(ResultKind.Done, Tick(pair.B, pair.PeerA).Result.Kind);
        pair.Clock.Advance(TimeSpan.FromSeconds(1));
        var tick = Tick(pair.B, pair.PeerA);

        Assert.Equal(MessageLayout.KeepaliveSize, tick.Bytes!.Length);
        Assert.Equal(ResultKind.Done, Deliver(pair.A, tick.Bytes, SourceB).Result.Kind);
    }

    [Fact]
    public void ASenderThatHearsNothingFor15SecondsStartsANewHandshake()
    {
        using var pair = new CorePair();
        pair.Handshake();
        pair.Clock.Advance(TimeSpan.FromSeconds(1));
        Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B));

        pair.Clock.Advance(TimeSpan.FromSeconds(14.5));
        Assert.Equal(ResultKind.Done, Tick(pair.A, pair.PeerB).Result.Kind);
        pair.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(MessageType.Initiation, MessageLayout.ReadType(Tick(pair.A, pair.PeerB).Bytes));
    }

    [Fact]
    public void PersistentKeepaliveFiresAfterItsInterval()
    {
        using var pair = new CorePair(persistentKeepalive: TimeSpan.FromSeconds(25));
        pair.Handshake();

        pair.Clock.Advance(TimeSpan.FromSeconds(24));
        Assert.Equal(ResultKind.Done, Tick(pair.A, pair.PeerB).Result.Kind);
        pair.Clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(MessageLayout.KeepaliveSize, Tick(pair.A, pair.PeerB).Bytes!.Length);
    }

    [Fact]
    public void AfterRekeyAfterTimeTheInitiatorRekeysAndPacketsOfTheOldSessionStillArrive()
    {
        using var pair = new CorePair();
        pair.Handshake();
        Keypair first = pair.PeerB.CurrentKeypair!;
        pair.Clock.Advance(TimeSpan.FromSeconds(121));

        byte[] inFlight = Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B)).Bytes!;
        var initiation = Tick(pair.A, pair.PeerB);
        Assert.Equal(MessageType.Initiation, MessageLayout.ReadType(initiation.Bytes));

        byte[] response = Deliver(pair.B, initiation.Bytes!, SourceA).Bytes!;
        byte[] keepalive = Deliver(pair.A, response, SourceB).Bytes!;
        Assert.NotSame(first, pair.PeerB.CurrentKeypair);

        // The packet sent with the old session arrives late: b still has it as "current"/"previous".
        Assert.Equal(ResultKind.WriteToTunnel, Deliver(pair.B, inFlight, SourceA).Result.Kind);
        Deliver(pair.B, keepalive, SourceA);
        byte[] packet = Packets.Ipv4(Packets.B, Packets.A);
        Assert.Equal(packet, Deliver(pair.A, Send(pair.B, pair.PeerA, packet).Bytes!, SourceB).Bytes);
    }

    [Fact]
    public void TheResponderDoesNotRekeyOnAgeButTheInitiatorDoes()
    {
        using var pair = new CorePair();
        pair.Handshake();
        pair.Clock.Advance(TimeSpan.FromSeconds(121));

        Deliver(pair.A, Send(pair.B, pair.PeerA, Packets.Ipv4(Packets.B, Packets.A)).Bytes!, SourceB);
        var responderTick = Tick(pair.B, pair.PeerA);

        Assert.NotEqual(MessageType.Initiation, responderTick.Bytes is null ? 0 : MessageLayout.ReadType(responderTick.Bytes));
    }

    [Fact]
    public void AfterRejectAfterTimeASessionIsNeitherUsedNorAccepted()
    {
        using var pair = new CorePair();
        pair.Handshake();
        byte[] late = Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B)).Bytes!;
        pair.Clock.Advance(ProtocolConstants.RejectAfterTime);

        Assert.Equal(DropReason.ExpiredSession, Deliver(pair.B, late, SourceA).Result.Reason);
        var send = Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B));
        Assert.Equal(MessageType.Initiation, MessageLayout.ReadType(send.Bytes));
        Assert.Equal(1, pair.PeerB.StagedCount);
    }

    [Fact]
    public void AllKeysAreErasedAfterThreeTimesRejectAfterTime()
    {
        using var pair = new CorePair();
        pair.Handshake();
        Keypair keypair = pair.PeerB.CurrentKeypair!;

        pair.Clock.Advance(ProtocolConstants.ZeroKeysAfter);
        Tick(pair.A, pair.PeerB);

        Assert.Null(pair.PeerB.CurrentKeypair);
        Assert.True(keypair.IsDisposed);
    }

    [Fact]
    public void AnInitiatorReceivingOnAnAgingSessionRekeysOnce()
    {
        using var pair = new CorePair();
        pair.Handshake();
        pair.Clock.Advance(ProtocolConstants.RekeyOnReceiveAge + TimeSpan.FromSeconds(1));

        Deliver(pair.A, Send(pair.B, pair.PeerA, Packets.Ipv4(Packets.B, Packets.A)).Bytes!, SourceB);

        Assert.Equal(MessageType.Initiation, MessageLayout.ReadType(Tick(pair.A, pair.PeerB).Bytes));
    }
}
