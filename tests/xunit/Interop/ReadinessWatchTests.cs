using Taltun.Interop;

namespace Taltun.Tests.Interop;

/// <summary>The one wait a packet loop sleeps in: two descriptors and the shutdown eventfd, on an epoll set of its own.</summary>
public sealed class ReadinessWatchTests : IDisposable
{
    private readonly ShutdownSignal _shutdown = new();
    private readonly FileDescriptor _first = TestDescriptors.EventFd();
    private readonly FileDescriptor _second = TestDescriptors.EventFd();

    [Fact]
    public void SaysWhichOfTwoDescriptorsIsReadable()
    {
        using var watch = new ReadinessWatch(_shutdown, _first, _second);
        Assert.Equal(Readiness.None, watch.Wait(0));

        TestDescriptors.Post(_second);
        Assert.Equal(Readiness.Second, watch.Wait(0));
        Assert.Equal(Readiness.Second, watch.Wait(-1));

        TestDescriptors.Post(_first);
        Assert.Equal(Readiness.Both, watch.Wait(-1));
    }

    [Fact]
    public void AMissingDescriptorIsNeverReady()
    {
        TestDescriptors.Post(_first);
        using (var withoutFirst = new ReadinessWatch(_shutdown, null, _second))
        {
            Assert.Equal(Readiness.None, withoutFirst.Wait(0));
        }

        using var withoutSecond = new ReadinessWatch(_shutdown, _first, null);
        Assert.Equal(Readiness.First, withoutSecond.Wait(0));
    }

    [Fact]
    public async Task ShutdownWinsOverReadyDescriptorsAndWakesASleeper()
    {
        using var watch = new ReadinessWatch(_shutdown, _first, _second);
        var sleeper = Task.Run(() => watch.Wait(-1));
        await Task.Delay(50);
        Assert.False(sleeper.IsCompleted);
        _shutdown.Signal();
        Assert.Equal(Readiness.Shutdown, await sleeper);

        TestDescriptors.Post(_first);
        Assert.Equal(Readiness.Shutdown, watch.Wait(0));
    }

    [Fact]
    public async Task ADescriptorReplacedUnderItsNumberIsWatchedAfterANudge()
    {
        // A new listen port moves a loop's socket to a new file under the same number (dup3),
        // then nudges the loops: an epoll set watches files, so the loop must register it again.
        using var watch = new ReadinessWatch(_shutdown, _first, _second);
        using FileDescriptor replacement = TestDescriptors.EventFd();
        Assert.Equal(_first.Number, Libc.Dup3(replacement.Number, _first.Number, Libc.O_CLOEXEC));
        var nudge = Task.Run(() => _shutdown.Nudge(TimeSpan.FromMilliseconds(500)));
        Assert.Equal(Readiness.Both, watch.Wait(5000));
        await nudge;

        TestDescriptors.Post(_first);
        Assert.Equal(Readiness.First, watch.Wait(0));
    }

    [Fact]
    public void ADescriptorReplacedWhileTheLoopWasBusyIsWatchedAtItsNextWait()
    {
        // A loop kept busy by full batches may not wait at all while a nudge lasts: the move must
        // not depend on it being woken.
        using var watch = new ReadinessWatch(_shutdown, _first, _second);
        using FileDescriptor replacement = TestDescriptors.EventFd();
        Assert.Equal(_first.Number, Libc.Dup3(replacement.Number, _first.Number, Libc.O_CLOEXEC));
        _shutdown.Nudge(TimeSpan.FromMilliseconds(10));

        TestDescriptors.Post(_first);
        Assert.Equal(Readiness.First, watch.Wait(100));
    }

    [Fact]
    public async Task AStopDuringANudgeStillWakesEveryWaiter()
    {
        using var watch = new ReadinessWatch(_shutdown, _first, _second);
        var nudge = Task.Run(() => _shutdown.Nudge(TimeSpan.FromMilliseconds(100)));
        await Task.Delay(20);
        _shutdown.Signal();
        await nudge;

        Assert.Equal(Readiness.Shutdown, watch.Wait(1000));
    }

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
        _shutdown.Dispose();
    }
}
