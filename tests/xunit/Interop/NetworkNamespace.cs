using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Taltun.Tests.Interop;

/// <summary>
/// A network namespace the test creates and always deletes (Dispose), so tests only ever touch
/// addresses inside it. Sockets for the test process are opened inside it from a thread that
/// joins the namespace; the socket stays there for its whole life.
/// </summary>
internal sealed partial class NetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;

    private readonly List<Process> _processes = [];
    private readonly List<string> _files = [];

    public NetworkNamespace(string prefix)
    {
        Name = $"{prefix}-{Environment.ProcessId}-{Random.Shared.Next(100_000)}";
        Run("ip", "netns", "add", Name);
        Exec("ip", "link", "set", "lo", "up");
    }

    public string Name { get; }

    /// <summary>Runs a command inside the namespace and returns its standard output; throws with its stderr on failure.</summary>
    public string Exec(params string[] command) => Run(["ip", "netns", "exec", Name, .. command]);

    /// <summary>Starts a long-running command inside the namespace; it is killed on Dispose.</summary>
    public Process Start(params string[] command)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in (string[])["netns", "exec", Name, .. command])
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        _processes.Add(process);
        return process;
    }

    /// <summary>A file a process in the namespace leaves behind when killed (e.g. a UAPI socket), deleted on Dispose.</summary>
    public void DeleteOnDispose(string path) => _files.Add(path);

    /// <summary>A UDP socket created inside the namespace.</summary>
    public Socket OpenUdpSocket() => Invoke(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));

    /// <summary>
    /// Runs <paramref name="action"/> on a fresh thread that has joined this namespace, so every
    /// descriptor it opens (sockets, TUN devices, netlink) and every thread it starts lives here.
    /// </summary>
    public T Invoke<T>(Func<T> action)
    {
        T? result = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var ns = File.OpenHandle($"/var/run/netns/{Name}");
                if (SetNs((int)ns.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns failed: errno {Marshal.GetLastPInvokeError()}");
                }

                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return result!;
    }

    /// <summary>Joins two namespaces with a veth pair and gives each end an address (with prefix).</summary>
    public static void Connect(NetworkNamespace a, string addressA, NetworkNamespace b, string addressB)
    {
        string name = $"veth{Random.Shared.Next(1_000_000)}";
        Run("ip", "link", "add", name + "a", "netns", a.Name, "type", "veth", "peer", "name", name + "b", "netns", b.Name);
        a.Exec("ip", "address", "add", addressA, "dev", name + "a");
        b.Exec("ip", "address", "add", addressB, "dev", name + "b");
        a.Exec("ip", "link", "set", name + "a", "up");
        b.Exec("ip", "link", "set", name + "b", "up");
    }

    /// <summary>Runs a command in the namespace; returns its exit code and output instead of throwing.</summary>
    public (int ExitCode, string Output) TryExec(params string[] command)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in (string[])["netns", "exec", Name, .. command])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    public static string Run(params string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{string.Join(' ', command)}' exited with {process.ExitCode}: {error.Trim()}");
        }

        return output;
    }

    public void Dispose()
    {
        foreach (Process process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        foreach (string file in _files)
        {
            File.Delete(file);
        }

        try
        {
            Run("ip", "netns", "delete", Name);
        }
        catch (InvalidOperationException)
        {
            // Deleting is best effort; a leftover namespace is named after this process.
        }
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
