using Taltun.Interop;

namespace Taltun.Tests.Interop;

/// <summary>The shutdown eventfd: a single-descriptor wait (a socket waiting to send) and how shutdown ends it.</summary>
public sealed class ShutdownSignalTests : IDisposable
{
    private readonly ShutdownSignal _shutdown = new();
    private readonly FileDescriptor _fd = TestDescriptors.EventFd();

    [Fact]
    public async Task AWaitEndsWhenItsDescriptorIsReady()
    {
        var waiter = Task.Run(() => _shutdown.Wait(_fd, Libc.POLLIN));
        await Task.Delay(50);
        Assert.False(waiter.IsCompleted);

        TestDescriptors.Post(_fd);
        Assert.True(await waiter);
    }

    [Fact]
    public async Task ShutdownEndsAWaitAndEveryLaterOne()
    {
        var waiter = Task.Run(() => _shutdown.Wait(_fd, Libc.POLLIN));
        _shutdown.Signal();
        Assert.False(await waiter);

        TestDescriptors.Post(_fd);
        Assert.False(_shutdown.Wait(_fd, Libc.POLLIN));
        Assert.True(_shutdown.IsSignalled);
    }

    [Fact]
    public async Task ANudgeEndsAWaitWithoutShuttingDown()
    {
        // This thread waits at once; the nudge holds its wake long enough to be seen even if it
        // comes first.
        var nudge = Task.Run(() => _shutdown.Nudge(TimeSpan.FromMilliseconds(500)));
        Assert.True(_shutdown.Wait(_fd, Libc.POLLIN));
        await nudge;
        Assert.False(_shutdown.IsSignalled);
    }

    public void Dispose()
    {
        _fd.Dispose();
        _shutdown.Dispose();
    }
}
