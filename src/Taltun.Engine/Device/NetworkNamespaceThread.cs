using Microsoft.Win32.SafeHandles;
using Taltun.Foundation;
using Taltun.Interop;

namespace Taltun.Device;

/// <summary>
/// Runs start-up code on a fresh thread that has joined a named network namespace (as
/// <c>ip netns exec</c> does for a process): every descriptor it opens and every thread it starts
/// belongs there, while the calling process stays where it is.
/// </summary>
internal static class NetworkNamespaceThread
{
    /// <summary>
    /// The identity of the calling thread's network namespace (the inode of its nsfs file), to
    /// tell whether a tunnel of another process shares this one's; 0 if /proc cannot say.
    /// </summary>
    public static ulong CurrentId() =>
        Libc.Statx(Libc.AT_FDCWD, "/proc/thread-self/ns/net", 0, Libc.STATX_BASIC_STATS, out StatxResult status) == 0 ? status.Inode : 0;

    /// <summary>
    /// A handle on the calling thread's network namespace, so work a tunnel does later from
    /// another thread (binding sockets to a new port) happens where the tunnel lives.
    /// </summary>
    public static SafeFileHandle Current() => File.OpenHandle("/proc/thread-self/ns/net");

    public static T Run<T>(string name, Func<T> start)
    {
        string path = name.Contains('/') ? name : $"/var/run/netns/{name}";
        return Run(() => File.OpenHandle(path), name, path, start);
    }

    /// <summary>Runs <paramref name="start"/> in the namespace <paramref name="handle"/> stands for (from <see cref="Current"/>).</summary>
    public static T Run<T>(SafeFileHandle handle, Func<T> start) =>
        Run(() => handle, "of the tunnel", "/proc", start, ownsHandle: false);

    private static T Run<T>(Func<SafeFileHandle> open, string name, string path, Func<T> start, bool ownsHandle = true)
    {
        T? result = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                SafeFileHandle handle = open();
                using var owned = ownsHandle ? handle : null;
                if (Libc.SetNs(handle, Libc.CLONE_NEWNET) != 0)
                {
                    int errno = Errno.Last;
                    throw new TunnelException(errno == Errno.EPERM ? TunnelError.PermissionDenied : TunnelError.System, $"Joining network namespace '{name}' failed ({Errno.Describe(errno)}).");
                }

                result = start();
            }
            catch (FileNotFoundException)
            {
                failure = new TunnelException(TunnelError.InvalidOptions, $"Network namespace '{name}' does not exist (looked for {path}). Create it with 'ip netns add {name}'.");
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            Name = $"taltun/netns/{name}",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return result!;
    }
}
