using System.Globalization;
using System.Text.RegularExpressions;
using Taltun.Configuration;
using Taltun.Foundation;

namespace Taltun.Device;

/// <summary>
/// Where a tunnel records the system changes that must be undone even if its process dies
/// (kill -9, a crash): one file per tunnel and purpose under /run/taltun, a tmpfs emptied at boot,
/// when nothing of a tunnel survives anyway. Layout:
///
///   /run/taltun/TUNNEL.PURPOSE                 a tunnel in the process's own network namespace
///   /run/taltun/netns/NAMESPACE/TUNNEL.PURPOSE a tunnel in the named namespace (ip netns)
///   /run/taltun/net/INODE/TUNNEL.PURPOSE       a change inside a network namespace (routes)
///
/// (tunnel names are per namespace, so the same name may run in two). A change that lives inside a
/// network namespace is recorded under the kernel's number for it (the inode of its
/// /proc/…/ns/net, lsns's NS column) rather than a name: a process that entered it through
/// ip netns exec and one that was given its name see one record, and processes in two namespaces
/// never share one. Directories are 0700 and
/// files 0600, written through <see cref="SafeFile"/>; a directory that someone else controls is
/// refused, since a record there decides what Taltun later writes as root. A record names the
/// process that wrote it (its pid and start time): it is abandoned once that process is gone.
/// Stateless; thread-safe.
/// </summary>
internal static partial class RuntimeState
{
    public const string DefaultRoot = "/run/taltun";

    /// <summary>The record of <paramref name="purpose"/> for tunnel <paramref name="tunnel"/> in namespace <paramref name="networkNamespace"/> (null: the process's own).</summary>
    public static string PathOf(string root, string? networkNamespace, string tunnel, string purpose) => networkNamespace is null
        ? Path.Combine(root, $"{tunnel}.{purpose}")
        : Path.Combine(root, "netns", networkNamespace, $"{tunnel}.{purpose}");

    /// <summary>The record of <paramref name="purpose"/> for tunnel <paramref name="tunnel"/> in the network namespace of the calling thread.</summary>
    public static string PathInThisNetworkNamespace(string root, string tunnel, string purpose) =>
        Path.Combine(root, "net", ThisNetworkNamespace(), $"{tunnel}.{purpose}");

    /// <summary>True if <paramref name="name"/> can be a directory name of <c>ip netns</c>, so a path built from it stays where it belongs.</summary>
    public static bool IsNamespaceName(string name) => NamespaceName().IsMatch(name) && name is not ("." or "..");

    /// <summary>Every record of <paramref name="purpose"/> under <paramref name="root"/>.</summary>
    public static IEnumerable<string> Find(string root, string purpose)
    {
        string pattern = $"*.{purpose}";
        IEnumerable<string> own = Directory.Exists(root) ? Directory.EnumerateFiles(root, pattern) : [];
        string namespaces = Path.Combine(root, "netns");
        IEnumerable<string> named = Directory.Exists(namespaces)
            ? Directory.EnumerateDirectories(namespaces).SelectMany(d => Directory.EnumerateFiles(d, pattern))
            : [];
        return [.. own, .. named];
    }

    /// <summary>Writes a record (0600, whole or not at all), creating its directories (0700); throws <see cref="TunnelException"/> if someone else controls them.</summary>
    public static void Write(string root, string path, string text)
    {
        if (Directory.Exists(root) && TrustedPath.Problem(root) is { } problem)
        {
            throw new TunnelException(TunnelError.PermissionDenied, $"Taltun keeps what it must undo after a crash in {root}, but {problem}");
        }

        try
        {
            SafeFile.WriteText(path, text, new FileWriteOptions { CreateDirectories = true });
        }
        catch (SafeFileException e)
        {
            throw new TunnelException(TunnelError.System, $"Recording the tunnel's changes in {e.Path} failed: {e.Reason}", e);
        }
    }

    /// <summary>Removes a record, and its namespace's directory once that holds no other.</summary>
    public static void Delete(string root, string path)
    {
        File.Delete(path);
        string directory = Path.GetDirectoryName(path)!;
        string? parent = Path.GetDirectoryName(directory);
        if ((parent == Path.Combine(root, "netns") || parent == Path.Combine(root, "net")) && !Directory.EnumerateFileSystemEntries(directory).Any())
        {
            Directory.Delete(directory);
        }
    }

    /// <summary>This process as a record names it: its pid and its start time, which no later process with the same pid shares.</summary>
    public static (int Pid, long Start) Owner => (Environment.ProcessId, StartTime(Environment.ProcessId) ?? 0);

    /// <summary>True if the process a record names has ended.</summary>
    public static bool IsAbandoned(int pid, long start) => StartTime(pid) != start;

    /// <summary>A process's start time in clock ticks since boot (field 22 of /proc/PID/stat), or null if there is no such process.</summary>
    private static long? StartTime(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return null;
        }

        // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' do not.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out long start) ? start : null;
    }

    /// <summary>The inode of the calling thread's network namespace, which /proc shows as the link "net:[INODE]".</summary>
    private static string ThisNetworkNamespace()
    {
        const string link = "/proc/thread-self/ns/net";
        string target = new FileInfo(link).LinkTarget ?? string.Empty;
        return NetworkNamespaceLink().Match(target) is { Success: true } match
            ? match.Groups[1].Value
            : throw new TunnelException(TunnelError.System, $"{link} reads '{target}', not net:[INODE]; is /proc mounted?");
    }

    [GeneratedRegex(@"^net:\[([0-9]{1,20})\]$")]
    private static partial Regex NetworkNamespaceLink();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,255}$")]
    private static partial Regex NamespaceName();
}
