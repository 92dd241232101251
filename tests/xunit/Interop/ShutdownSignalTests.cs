using Taltun.Interop;

namespace Taltun.Tests.Interop;

/// <summary>The one poll the packet loops sleep in: two descriptors and the shutdown eventfd.</summary>
public sealed class ShutdownSignalTests : IDisposable
{
    private readonly ShutdownSignal _shutdown = new();
    private readonly FileDescriptor _first = EventFd();
    private readonly FileDescriptor _second = EventFd();

    [Fact]
    public void SaysWhichOfTwoDescriptorsIsReadable()
    {
        Assert.Equal(Readiness.None, _shutdown.WaitReadable(_first, _second, 0));

        Post(_second);
        Assert.Equal(Readiness.Second, _shutdown.WaitReadable(_first, _second, 0));
        Assert.Equal(Readiness.Second, _shutdown.WaitReadable(_first, _second, -1));

        Post(_first);
        Assert.Equal(Readiness.Both, _shutdown.WaitReadable(_first, _second, -1));
    }

    [Fact]
    public void AMissingDescriptorIsNeverReady()
    {
        Post(_first);
        Assert.Equal(Readiness.None, _shutdown.WaitReadable(null, _second, 0));
        Assert.Equal(Readiness.First, _shutdown.WaitReadable(_first, null, 0));
    }

    [Fact]
    public async Task ShutdownWinsOverReadyDescriptorsAndWakesASleeper()
    {
        var sleeper = Task.Run(() => _shutdown.WaitReadable(_first, _second, -1));
        _shutdown.Signal();
        Assert.Equal(Readiness.Shutdown, await sleeper);

        Post(_first);
        Assert.Equal(Readiness.Shutdown, _shutdown.WaitReadable(_first, _second, 0));
        Assert.False(_shutdown.Wait(_first, Libc.POLLIN));
    }

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
        _shutdown.Dispose();
    }

    private static FileDescriptor EventFd() => new(Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK));

    private static unsafe void Post(FileDescriptor fd)
    {
        ulong one = 1;
        Assert.Equal(sizeof(ulong), (int)Libc.Write(fd, (byte*)&one, sizeof(ulong)));
    }
}
