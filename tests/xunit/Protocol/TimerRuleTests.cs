using Taltun.Protocol;
using static Taltun.Tests.Protocol.CorePair;

namespace Taltun.Tests.Protocol;

/// <summary>
/// WireGuard's timer rules as wireguard-go's timers.go, send.go and receive.go apply them, each on
/// two cores wired in memory with a test clock.
/// </summary>
public class TimerRuleTests
{
    private static readonly TimeSpan Jitter = TimeSpan.FromMilliseconds(400);

    [Fact]
    public void SendingAResponseCountsAsSendingAHandshakeSoAResponderWithStagedDataDoesNotInitiate()
    {
        using var pair = new CorePair();
        byte[] response = Deliver(pair.B, Initiation(pair.A, pair.PeerB), SourceA).Bytes!;

        // b answered, so its session waits for a's first packet; data for a is staged meanwhile.
        var buffer = new byte[BufferSize];
        byte[] packet = Packets.Ipv4(Packets.B, Packets.A, 40);
        packet.CopyTo(buffer, MessageLayout.TransportHeaderSize);
        Assert.Equal(ResultKind.Done, pair.B.Encapsulate(pair.PeerA, buffer, packet.Length).Kind);
        Assert.True(ProtocolCore.NeedsHandshake(pair.PeerA));

        // No crossing initiation: the response was a handshake sent less than RekeyTimeout ago.
        Assert.Equal(ResultKind.Done, Tick(pair.B, pair.PeerA).Result.Kind);
        Assert.Equal(TimeSpan.FromSeconds(5), pair.B.NextDeadline(pair.PeerA));

        // a's first packet confirms the session, and the staged packet goes.
        byte[] keepalive = Deliver(pair.A, response, SourceB).Bytes!;
        Deliver(pair.B, keepalive, SourceA);
        Assert.False(ProtocolCore.NeedsHandshake(pair.PeerA));
        var staged = pair.B.TakeStaged(pair.PeerA, buffer);
        Assert.Equal(ResultKind.WriteToNetwork, staged.Kind);
        Assert.Equal(packet, Deliver(pair.A, buffer[..staged.Length], SourceB).Bytes);
    }

    [Fact]
    public void TheFirstPacketOnASessionWeAnsweredCompletesTheHandshakeAndStopsOurRetries()
    {
        using var pair = new CorePair();

        // b's own initiation is lost; a's arrives and b answers it.
        Initiation(pair.B, pair.PeerA);
        byte[] response = Deliver(pair.B, Initiation(pair.A, pair.PeerB), SourceA).Bytes!;
        Assert.NotNull(pair.PeerA.Timers.RetransmitHandshake);

        Deliver(pair.B, Deliver(pair.A, response, SourceB).Bytes!, SourceA);

        Assert.Null(pair.PeerA.Timers.RetransmitHandshake);
        pair.Clock.Advance(ProtocolConstants.RekeyTimeout + Jitter);
        Assert.Equal(ResultKind.Done, Tick(pair.B, pair.PeerA).Result.Kind);
    }

    [Fact]
    public void ANewInitiationThatIsNotARetryStartsTheAttemptCountOver()
    {
        using var pair = new CorePair();
        Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B));
        int initiations = 1;
        for (int i = 0; i < 10; i++)
        {
            pair.Clock.Advance(ProtocolConstants.RekeyTimeout + Jitter);
            Assert.Equal(MessageType.Initiation, MessageLayout.ReadType(Tick(pair.A, pair.PeerB).Bytes));
            initiations++;
        }

        // New traffic asks for a handshake again: wireguard-go resets the attempts even while an
        // initiation is in flight, so the peer is given up on only 20 attempts after this.
        Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B));
        Assert.Equal(0, pair.PeerB.Timers.HandshakeAttempts);
        int afterReset = 0;
        for (int i = 0; i < 40; i++)
        {
            pair.Clock.Advance(ProtocolConstants.RekeyTimeout + Jitter);
            if (Tick(pair.A, pair.PeerB).Bytes is not { } bytes)
            {
                break;
            }

            Assert.Equal(MessageType.Initiation, MessageLayout.ReadType(bytes));
            afterReset++;
        }

        Assert.Equal(11, initiations);
        Assert.Equal(ProtocolConstants.MaxTimerHandshakes + 1, afterReset);
    }

    [Fact]
    public void ConsumingAnInitiationCountsAsAuthenticatedTrafficReceived()
    {
        using var pair = new CorePair();
        pair.Handshake();

        // b sent data and heard nothing: a new handshake would be due after 15 s.
        Send(pair.B, pair.PeerA, Packets.Ipv4(Packets.B, Packets.A));
        Assert.NotNull(pair.PeerA.Timers.NewHandshake);

        // a's initiation (a rekey, after RekeyTimeout) is authenticated traffic from a: nothing is missing any more.
        pair.Clock.Advance(TimeSpan.FromSeconds(6));
        Deliver(pair.B, Initiation(pair.A, pair.PeerB), SourceA);
        Assert.Null(pair.PeerA.Timers.NewHandshake);
        pair.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.NotEqual(MessageType.Initiation, Tick(pair.B, pair.PeerA).Bytes is { } bytes ? MessageLayout.ReadType(bytes) : 0);
    }

    [Fact]
    public void SendingAResponseCountsAsAuthenticatedTrafficSent()
    {
        using var pair = new CorePair();
        pair.Handshake();

        // b received data and owes a keepalive in 10 s…
        Deliver(pair.B, Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B)).Bytes!, SourceA);
        Assert.NotNull(pair.PeerA.Timers.SendKeepalive);

        // …until its response to a's initiation (a rekey, after RekeyTimeout) goes out: that is a packet to a.
        pair.Clock.Advance(TimeSpan.FromSeconds(6));
        Deliver(pair.B, Initiation(pair.A, pair.PeerB), SourceA);
        Assert.Null(pair.PeerA.Timers.SendKeepalive);
        pair.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(ResultKind.Done, Tick(pair.B, pair.PeerA).Result.Kind);
    }

    [Fact]
    public async Task TheDataPathNeverWaitsForAHandshakeInProgress()
    {
        using var pair = new CorePair();
        pair.Handshake();
        byte[] toB = Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B)).Bytes!;

        // Another thread holds each peer's handshake lock, as the control thread does during
        // Diffie-Hellman work. Transport packets must flow regardless.
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            lock (pair.PeerB.HandshakeLock)
            {
                lock (pair.PeerA.HandshakeLock)
                {
                    held.Set();
                    release.Wait();
                }
            }
        });
        holder.Start();
        held.Wait();
        try
        {
            var work = Task.Run(() =>
            {
                var sent = Send(pair.A, pair.PeerB, Packets.Ipv4(Packets.A, Packets.B));
                var received = Deliver(pair.B, toB, SourceA);
                return (sent.Result.Kind, received.Result.Kind);
            });

            Task finished = await Task.WhenAny(work, Task.Delay(TimeSpan.FromSeconds(10)));
            Assert.True(finished == work, "a transport packet waited for the handshake lock");
            Assert.Equal((ResultKind.WriteToNetwork, ResultKind.WriteToTunnel), await work);
        }
        finally
        {
            release.Set();
            holder.Join();
        }
    }

    [Fact]
    public void AResponderUnderLoadStillAcceptsTheResponseToItsOwnInitiationWithoutACookie()
    {
        using var pair = new CorePair();
        pair.A.UnderLoad = true;
        byte[] response = Deliver(pair.B, Initiation(pair.A, pair.PeerB), SourceA).Bytes!;

        var confirm = Deliver(pair.A, response, SourceB);

        Assert.Equal(ResultKind.WriteToNetwork, confirm.Result.Kind);
        Assert.NotNull(pair.PeerB.CurrentKeypair);
    }

    [Fact]
    public void AnInitiationAnsweredWithACookieIsSentAgainAtOnceWithMac2()
    {
        using var pair = new CorePair();
        pair.B.UnderLoad = true;
        byte[] first = Initiation(pair.A, pair.PeerB);
        var cookie = Deliver(pair.B, first, SourceA);
        Assert.Equal(MessageLayout.CookieReplySize, cookie.Bytes!.Length);

        Deliver(pair.A, cookie.Bytes, SourceB);
        Assert.Equal(TimeSpan.Zero, pair.A.NextDeadline(pair.PeerB) - pair.A.Now);
        var again = Tick(pair.A, pair.PeerB);

        // The same initiation (ephemeral key, timestamp, index, mac1: no new Diffie-Hellman), now with mac2.
        Assert.Equal(first.AsSpan(0, MessageLayout.InitiationMac2).ToArray(), again.Bytes!.AsSpan(0, MessageLayout.InitiationMac2).ToArray());
        Assert.Contains(again.Bytes.AsSpan(MessageLayout.InitiationMac2).ToArray(), b => b != 0);
        var response = Deliver(pair.B, again.Bytes!, SourceA);
        Assert.Equal(MessageLayout.ResponseSize, response.Bytes!.Length);

        // Once: the same cookie reply again does not make another initiation.
        Deliver(pair.A, cookie.Bytes, SourceB);
        Assert.Equal(ResultKind.Done, Tick(pair.A, pair.PeerB).Result.Kind);
    }
}
