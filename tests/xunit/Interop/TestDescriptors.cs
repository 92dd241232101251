using Taltun.Interop;

namespace Taltun.Tests.Interop;

/// <summary>Eventfds as stand-ins for sockets and TUN queues: readable once something is posted.</summary>
internal static class TestDescriptors
{
    public static FileDescriptor EventFd() => new(Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK));

    public static unsafe void Post(FileDescriptor fd)
    {
        ulong one = 1;
        Assert.Equal(sizeof(ulong), (int)Libc.Write(fd, (byte*)&one, sizeof(ulong)));
    }
}
