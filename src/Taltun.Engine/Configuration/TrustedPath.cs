using System.Globalization;
using Taltun.Interop;

namespace Taltun.Configuration;

/// <summary>
/// Whether only root and this process's user can change a file: what a file that makes root run
/// commands (a configuration with hooks, a hook's program) or that Taltun writes as root (a
/// namespace's resolv.conf) must satisfy, as sudo asks of its own files. The file, whatever a
/// link leads to, and every directory above either, must belong to root or this user and be
/// writable by neither group nor others; a directory with the sticky bit (/tmp) may be, since
/// there only a file's owner can replace it. Stateless; thread-safe.
/// </summary>
internal static class TrustedPath
{
    private const int GroupWrite = 0x10;
    private const int OtherWrite = 0x02;
    private const int Sticky = 0x200;

    /// <summary>Null if only root or this user can change <paramref name="path"/> (or it does not exist); otherwise what someone else controls, and how to fix it.</summary>
    public static string? Problem(string path)
    {
        string full = Path.GetFullPath(path);
        if (!Exists(full))
        {
            return null;
        }

        string? target = File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName;
        foreach (string candidate in target is null ? [full] : new[] { full, target })
        {
            if (ChainProblem(candidate) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    /// <summary>True if <paramref name="path"/> leads to a regular file (not a device such as /dev/null, a directory or a FIFO).</summary>
    public static bool IsRegularFile(string path) =>
        Libc.Statx(Libc.AT_FDCWD, path, 0, Libc.STATX_BASIC_STATS, out StatxResult status) == 0 && status.Type == Libc.S_IFREG;

    private static bool Exists(string path) =>
        Libc.Statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out _) == 0;

    /// <summary>The first of <paramref name="path"/> and its directories, innermost first, that someone else controls.</summary>
    private static string? ChainProblem(string path)
    {
        uint self = Libc.GetEuid();
        for (string? current = path; current is not null; current = Path.GetDirectoryName(current))
        {
            if (Libc.Statx(Libc.AT_FDCWD, current, current == path ? Libc.AT_SYMLINK_NOFOLLOW : 0, Libc.STATX_BASIC_STATS, out StatxResult status) != 0)
            {
                continue;
            }

            bool directory = status.Type == Libc.S_IFDIR;
            if (status.Type == Libc.S_IFLNK)
            {
                // A link's own mode means nothing; what it leads to is checked on its own.
                continue;
            }

            if (status.Uid != 0 && status.Uid != self)
            {
                return $"{current} belongs to user {status.Uid.ToString(CultureInfo.InvariantCulture)}, who could change it; give it to root (chown root {current}) or move the file somewhere only root can write.";
            }

            if ((status.Mode & (GroupWrite | OtherWrite)) != 0 && !(directory && (status.Mode & Sticky) != 0))
            {
                return $"{current} can be written by group or others (mode {Convert.ToString(status.Mode & 0xFFF, 8)}); restrict it: chmod go-w {current}.";
            }
        }

        return null;
    }
}
