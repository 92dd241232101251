using System.Diagnostics;
using Taltun.Crypto;
using Taltun.Device;
using Taltun.Protocol;

namespace Taltun.Tests.Device;

/// <summary>The control thread's scheduler: it sleeps until a peer is due, and any thread can ask for one sooner.</summary>
public class PeerSchedulerTests
{
    [Fact]
    public async Task AWakeFromAnotherThreadEndsTheSleepAtOnce()
    {
        using var scheduler = new PeerScheduler();
        using var key = PrivateKey.Generate();
        using var core = new ProtocolCore(key, TimeProvider.System, scheduler: scheduler);
        Peer peer = core.AddPeer(PrivateKey.Generate().PublicKey);
        using var stop = new CancellationTokenSource();

        var slept = new TaskCompletionSource<TimeSpan>();
        var sleeper = new Thread(() =>
        {
            var clock = Stopwatch.StartNew();
            scheduler.Sleep(core.Now, TimeSpan.FromSeconds(10), stop.Token);
            slept.SetResult(clock.Elapsed);
        });
        sleeper.Start();
        await Task.Delay(200);

        scheduler.Wake(peer, core.Now);

        TimeSpan asleep = await slept.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(asleep < TimeSpan.FromSeconds(2), $"slept {asleep.TotalSeconds:F2} s after the wake");
        Assert.True(scheduler.TryTakeDue(core.Now, out Peer due));
        Assert.Same(peer, due);
    }

    [Fact]
    public void APeerIsDueAtItsTimeAndNotBefore()
    {
        using var scheduler = new PeerScheduler();
        using var key = PrivateKey.Generate();
        using var core = new ProtocolCore(key, TimeProvider.System, scheduler: scheduler);
        Peer early = core.AddPeer(PrivateKey.Generate().PublicKey);
        Peer late = core.AddPeer(PrivateKey.Generate().PublicKey);

        scheduler.Schedule(late, TimeSpan.FromSeconds(20));
        scheduler.Schedule(early, TimeSpan.FromSeconds(10));
        scheduler.Wake(late, TimeSpan.FromSeconds(5));

        Assert.False(scheduler.TryTakeDue(TimeSpan.FromSeconds(4), out _));
        Assert.True(scheduler.TryTakeDue(TimeSpan.FromSeconds(6), out Peer first));
        Assert.Same(late, first);
        Assert.True(scheduler.TryTakeDue(TimeSpan.FromSeconds(30), out Peer second));
        Assert.Same(early, second);
        Assert.False(scheduler.TryTakeDue(TimeSpan.FromSeconds(30), out _));
    }
}
