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
///
/// (tunnel names are per namespace, so the same name may run in two). Directories are 0700 and
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
        if (Path.GetDirectoryName(directory) == Path.Combine(root, "netns") && !Directory.EnumerateFileSystemEntries(directory).Any())
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

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,255}$")]
    private static partial Regex NamespaceName();
}
