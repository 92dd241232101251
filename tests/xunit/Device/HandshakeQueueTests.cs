using Taltun.Device;
using Taltun.Foundation;
using Taltun.Protocol;

namespace Taltun.Tests.Device;

/// <summary>
/// The queue between the receive threads and the handshake threads: how much of a reconnect
/// storm it holds, when it says "under load", and that it never hands out a message whose sender
/// has given up on it.
/// </summary>
public sealed class HandshakeQueueTests
{
    private static readonly byte[] Initiation = new byte[MessageLayout.InitiationSize];
    private static readonly byte[] Source = [2, 0, 0x23, 0x28, 10, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0];

    [Fact]
    public void EveryInitiationOfATenThousandPeerStormIsQueued()
    {
        // A hub restarted under 10,000 live peers receives about one initiation from each within
        // a second or two, faster than two cores answer them (bench/RESULTS.md, "Live peers").
        // One turned away costs its peer a 5 s retransmission.
        using var queue = new HandshakeQueue(new ManualTimeProvider());
        int accepted = 0;
        for (int i = 0; i < 10_000; i++)
        {
            accepted += queue.TryEnqueue(MessageType.Initiation, Initiation, Source, null!) ? 1 : 0;
        }

        Assert.Equal(10_000, accepted);
        Assert.Equal(10_000, queue.Count);
    }

    [Fact]
    public void AFullQueueTurnsMessagesAway()
    {
        using var queue = new HandshakeQueue(new ManualTimeProvider());
        for (int i = 0; i < Tuning.HandshakeQueueCapacity; i++)
        {
            Assert.True(queue.TryEnqueue(MessageType.Initiation, Initiation, Source, null!));
        }

        Assert.False(queue.TryEnqueue(MessageType.Initiation, Initiation, Source, null!));
        Assert.Equal(Tuning.HandshakeQueueCapacity, queue.Count);
    }

    [Fact]
    public void AMessageThatWaitedUntilItsSenderRetriesIsHandedOutAsExpired()
    {
        // Its initiator sends a new initiation RekeyTimeout after this one: a response to the old
        // one would arrive after that and be thrown away, so its Diffie-Hellman work is wasted,
        // and under overload it would only make the next message wait longer.
        var time = new ManualTimeProvider();
        using var queue = new HandshakeQueue(time);
        using var stopping = new CancellationTokenSource();
        queue.TryEnqueue(MessageType.Initiation, Initiation, Source, null!);
        time.Advance(Tuning.HandshakeQueueMaxWait - TimeSpan.FromMilliseconds(1));
        queue.TryEnqueue(MessageType.Initiation, Initiation, Source, null!);
        time.Advance(TimeSpan.FromMilliseconds(2));

        HandshakeQueue.QueuedMessage? old = queue.Take(stopping.Token, out _);
        HandshakeQueue.QueuedMessage? fresh = queue.Take(stopping.Token, out _);

        Assert.True(old!.Expired);
        Assert.False(fresh!.Expired);
        Assert.True(Tuning.HandshakeQueueMaxWait < ProtocolConstants.RekeyTimeout);
    }

    [Fact]
    public async Task AHandshakeThreadCountsAnExpiredMessageAndAnswersNothing()
    {
        // The message would fail its mac1 anyway (all zeros): were it processed, it would count
        // as BadMac1, not as a timeout. The socket is never touched for an expired message.
        var time = new ManualTimeProvider();
        using var key = Taltun.Crypto.PrivateKey.Generate();
        using var core = new ProtocolCore(key, time);
        using var queue = new HandshakeQueue(time);
        var workers = new HandshakeWorkers(core, queue, new TunnelLog(time));
        queue.TryEnqueue(MessageType.Initiation, Initiation, Source, null!);
        time.Advance(Tuning.HandshakeQueueMaxWait + TimeSpan.FromSeconds(1));

        using var stopping = new CancellationTokenSource();
        var worker = Task.Run(() => workers.Run(stopping.Token));
        for (int i = 0; i < 500 && core.Drops[DropReason.HandshakeQueueTimeout] == 0; i++)
        {
            await Task.Delay(10);
        }

        await stopping.CancelAsync();
        await worker;
        Assert.Equal(1, core.Drops[DropReason.HandshakeQueueTimeout]);
        Assert.Equal(0, core.Drops[DropReason.BadMac1]);
    }

    [Fact]
    public void ABufferReusedForANewMessageIsNotExpired()
    {
        var time = new ManualTimeProvider();
        using var queue = new HandshakeQueue(time);
        using var stopping = new CancellationTokenSource();
        queue.TryEnqueue(MessageType.Initiation, Initiation, Source, null!);
        time.Advance(Tuning.HandshakeQueueMaxWait * 2);
        HandshakeQueue.QueuedMessage? old = queue.Take(stopping.Token, out _);
        Assert.True(old!.Expired);
        queue.Return(old);

        queue.TryEnqueue(MessageType.Initiation, Initiation, Source, null!);
        HandshakeQueue.QueuedMessage? reused = queue.Take(stopping.Token, out _);

        Assert.Same(old, reused);
        Assert.False(reused!.Expired);
    }

    [Fact]
    public void UnderLoadFromTheDepthWireGuardGoUsesAndForOneSecondAfter()
    {
        var time = new ManualTimeProvider();
        using var queue = new HandshakeQueue(time);
        using var stopping = new CancellationTokenSource();
        for (int i = 0; i < Tuning.UnderLoadQueueDepth; i++)
        {
            queue.TryEnqueue(MessageType.Initiation, Initiation, Source, null!);
        }

        queue.Take(stopping.Token, out bool first);
        Assert.True(first);
        while (queue.Count > 0)
        {
            queue.Take(stopping.Token, out _);
        }

        queue.TryEnqueue(MessageType.Initiation, Initiation, Source, null!);
        time.Advance(Tuning.UnderLoadHold - TimeSpan.FromMilliseconds(1));
        queue.Take(stopping.Token, out bool stillHeld);
        queue.TryEnqueue(MessageType.Initiation, Initiation, Source, null!);
        time.Advance(TimeSpan.FromMilliseconds(2));
        queue.Take(stopping.Token, out bool released);

        Assert.True(stillHeld);
        Assert.False(released);
    }
}
