using System.Security.Cryptography;
using System.Text;
using Taltun.Interop;

namespace Taltun.Configuration;

/// <summary>
/// Reads and writes the files that hold keys so that neither a careless path nor a local attacker
/// can make Taltun write somewhere else, leave a secret readable, or leave half a file.
///
/// Writing: the target must be a regular file or absent; a symbolic link is refused unless it
/// is to be followed, and then its final target must be. The text goes to a new temporary file
/// in the target's directory, created with O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600 (nothing
/// planted at that name is ever opened, and the file is private from its first byte), is
/// fsynced, and renamed over the target. On any failure the temporary file is removed and the
/// target is as it was. Missing directories are created (0700) only when asked.
///
/// Reading: a regular file only (a FIFO or a device would block or never end), of at most
/// <see cref="MaxReadBytes"/>.
///
/// Every failure is a <see cref="SafeFileException"/>. Stateless; thread-safe. Reading and
/// writing stay in this one (long) file because they share the path checks: one rule about links,
/// /proc and file types, read in one place.
/// </summary>
public static class SafeFile
{
    /// <summary>The largest file read: a configuration with thousands of peers is well under it.</summary>
    public const int MaxReadBytes = 4 * 1024 * 1024;

    private const uint PrivateMode = 0x180; // 0600
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const int TemporaryNameAttempts = 16;

    /// <summary>Linux's own limit on links followed in one lookup (MAXSYMLINKS).</summary>
    private const int MaxLinkHops = 40;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The text of a regular file (a leading byte-order mark dropped).</summary>
    public static string ReadText(string path)
    {
        int raw = Libc.Open(path, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        if (raw < 0)
        {
            throw Failure(path, Errno.Last, "read");
        }

        using var file = new FileDescriptor(raw);
        StatxResult status = Status(file, path);
        if (status.Type != Libc.S_IFREG)
        {
            throw new SafeFileException(FileProblem.NotARegularFile, path, status.Type == Libc.S_IFDIR
                ? "is a directory; give the file inside it."
                : $"is {Describe(status.Type)}, not a file.");
        }

        if (status.Size > MaxReadBytes)
        {
            throw TooLarge(path);
        }

        byte[] content = ReadAll(file, path);
        string text = Utf8.GetString(content);
        return text.StartsWith('\uFEFF') ? text[1..] : text;
    }

    /// <summary>
    /// Checks that <paramref name="path"/> may be written with <paramref name="options"/> and
    /// returns the file that would be written (a followed link's final target); throws
    /// <see cref="SafeFileException"/> otherwise. Changes nothing.
    /// </summary>
    public static string Check(string path, FileWriteOptions options)
    {
        if (Path.EndsInDirectorySeparator(path))
        {
            throw new SafeFileException(FileProblem.NotARegularFile, path, "ends in '/', which names a directory; give a file name.");
        }

        string target = Path.GetFullPath(path);
        switch (LinkStatus(target))
        {
            case null:
                break;
            case { } status when status.Type == Libc.S_IFLNK:
                if (!options.FollowSymlink)
                {
                    string? pointsTo = new FileInfo(target).LinkTarget;
                    throw new SafeFileException(FileProblem.SymbolicLink, target, $"is a symbolic link{(pointsTo is null ? string.Empty : $" to {pointsTo}")}; Taltun does not write through links. Give -FollowSymlink to write to the file it points to, or choose another path.");
                }

                if (ThroughProc(target) is { } descriptor)
                {
                    throw new SafeFileException(FileProblem.NotARegularFile, target, $"leads to {descriptor}, a process's open file rather than a path; Taltun does not write there. Give the path of a file.");
                }

                string? final = ResolveLink(target);

                // What the link leads to, asked of the kernel: a /proc/self/fd link names a pipe or a terminal no path reaches.
                if (Libc.Statx(Libc.AT_FDCWD, target, 0, Libc.STATX_BASIC_STATS, out StatxResult pointed) != 0)
                {
                    throw new SafeFileException(FileProblem.NotFound, target, $"is a symbolic link to {final ?? "a path"} that does not exist; create the file first, or write to its path directly.");
                }

                if (pointed.Type != Libc.S_IFREG || final is null)
                {
                    throw new SafeFileException(FileProblem.NotARegularFile, target, $"leads to {Describe(pointed.Type)}, not a file Taltun writes.");
                }

                target = options.Overwrite ? final : throw Exists(final);
                break;
            case { } status when status.Type != Libc.S_IFREG:
                throw new SafeFileException(FileProblem.NotARegularFile, target, status.Type == Libc.S_IFDIR
                    ? $"is a directory; give a file name inside it, e.g. {Path.Combine(target, "tunnel.toml")}."
                    : $"is {Describe(status.Type)}, not a file Taltun writes.");
            default:
                if (!options.Overwrite)
                {
                    throw Exists(target);
                }

                break;
        }

        string directory = Path.GetDirectoryName(target)!;
        if (!options.CreateDirectories && MissingDirectories(directory).Count > 0)
        {
            throw new SafeFileException(FileProblem.NotFound, directory, "the directory does not exist. Create it (mode 0700 for key files), or give -Force to have it created.");
        }

        return target;
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8, no byte-order mark) to <paramref name="path"/>, mode 0600 unless asked otherwise, whole or not at all.</summary>
    public static void WriteText(string path, string text, FileWriteOptions options) =>
        WriteBytes(path, Utf8.GetBytes(text), options, NewTemporaryName);

    /// <summary>Writes <paramref name="content"/> (a QR code's PNG, say) as <see cref="WriteText(string, string, FileWriteOptions)"/> writes text.</summary>
    public static void WriteBytes(string path, byte[] content, FileWriteOptions options) =>
        WriteBytes(path, content, options, NewTemporaryName);

    /// <summary>As <see cref="WriteText(string, string, FileWriteOptions)"/>, with the temporary file's names chosen by <paramref name="temporaryName"/> (for tests).</summary>
    internal static void WriteText(string path, string text, FileWriteOptions options, Func<string, string> temporaryName) =>
        WriteBytes(path, Utf8.GetBytes(text), options, temporaryName);

    private static void WriteBytes(string path, byte[] content, FileWriteOptions options, Func<string, string> temporaryName)
    {
        string target = Check(path, options);
        string directory = Path.GetDirectoryName(target)!;
        List<string> created = CreateDirectories(directory);
        string? temporary = null;
        try
        {
            temporary = CreateTemporary(directory, Path.GetFileName(target), temporaryName, out FileDescriptor file);
            using (file)
            {
                if (Libc.Fchmod(file, (uint)options.Mode) != 0)
                {
                    throw Failure(target, Errno.Last, "write");
                }

                WriteAll(file, content, target);
                if (Libc.Fsync(file) != 0)
                {
                    throw Failure(target, Errno.Last, "write");
                }
            }

            if (Libc.RenameAt2(Libc.AT_FDCWD, temporary, Libc.AT_FDCWD, target, options.Overwrite ? 0 : Libc.RENAME_NOREPLACE) != 0)
            {
                int errno = Errno.Last;
                throw errno == Errno.EEXIST ? Exists(target) : Failure(target, errno, "write");
            }

            temporary = null;
            SyncDirectory(directory);
        }
        catch
        {
            if (temporary is not null)
            {
                File.Delete(temporary);
            }

            RemoveDirectories(created);
            throw;
        }
    }

    private static string NewTemporaryName(string fileName) => $".{fileName}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp";

    /// <summary>A new file of our own beside the target; a name already taken (by anything, a link included) is passed over.</summary>
    private static string CreateTemporary(string directory, string fileName, Func<string, string> temporaryName, out FileDescriptor file)
    {
        for (int attempt = 0; attempt < TemporaryNameAttempts; attempt++)
        {
            string candidate = Path.Combine(directory, temporaryName(fileName));
            int raw = Libc.Open(candidate, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, PrivateMode);
            if (raw >= 0)
            {
                file = new FileDescriptor(raw);
                return candidate;
            }

            int errno = Errno.Last;
            if (errno != Errno.EEXIST)
            {
                throw Failure(Path.Combine(directory, fileName), errno, "write");
            }
        }

        throw new SafeFileException(FileProblem.Failed, Path.Combine(directory, fileName), $"every temporary name tried in {directory} was taken; remove the stray .{fileName}.*.tmp files there.");
    }

    /// <summary>Creates the missing directories of <paramref name="directory"/>, each mode 0700 whatever the umask; returns them, outermost first.</summary>
    private static List<string> CreateDirectories(string directory)
    {
        List<string> missing = MissingDirectories(directory);
        var created = new List<string>();
        try
        {
            foreach (string path in missing)
            {
                Directory.CreateDirectory(path);
                created.Add(path);
                File.SetUnixFileMode(path, PrivateDirectory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RemoveDirectories(created);
            throw new SafeFileException(e is UnauthorizedAccessException ? FileProblem.PermissionDenied : FileProblem.Failed, directory, $"cannot create the directory: {e.Message}");
        }

        return created;
    }

    /// <summary>Removes directories this write created, innermost first; one that something else has filled meanwhile stays.</summary>
    private static void RemoveDirectories(List<string> created)
    {
        for (int i = created.Count - 1; i >= 0; i--)
        {
            try
            {
                Directory.Delete(created[i]);
            }
            catch (IOException)
            {
                return;
            }
        }
    }

    /// <summary>The directories from the first missing ancestor of <paramref name="directory"/> down to it; throws if an existing one is not a directory.</summary>
    private static List<string> MissingDirectories(string directory)
    {
        var missing = new List<string>();
        for (string? path = directory; path is not null; path = Path.GetDirectoryName(path))
        {
            if (Libc.Statx(Libc.AT_FDCWD, path, 0, Libc.STATX_BASIC_STATS, out StatxResult status) == 0)
            {
                if (status.Type != Libc.S_IFDIR)
                {
                    throw new SafeFileException(FileProblem.NotFound, path, "is not a directory.");
                }

                break;
            }

            int errno = Errno.Last;
            if (errno != Errno.ENOENT)
            {
                throw Failure(path, errno, "look up");
            }

            missing.Insert(0, path);
        }

        return missing;
    }

    /// <summary>What is at <paramref name="path"/> itself (a link is not followed), or null if nothing is.</summary>
    private static StatxResult? LinkStatus(string path)
    {
        if (Libc.Statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out StatxResult status) == 0)
        {
            return status;
        }

        int errno = Errno.Last;
        return errno == Errno.ENOENT ? null : throw Failure(path, errno, "look up");
    }

    /// <summary>
    /// Where a chain of links starting at <paramref name="link"/> enters /proc, or null. /dev/stdout
    /// leads to /proc/self/fd/1: the open file of whichever process looks, a pipe, a terminal or a
    /// log that a rename there would replace.
    /// </summary>
    private static string? ThroughProc(string link)
    {
        string current = link;
        for (int hop = 0; hop < MaxLinkHops; hop++)
        {
            if (new FileInfo(current).LinkTarget is not { } next)
            {
                return null;
            }

            current = Path.GetFullPath(next, Path.GetDirectoryName(current)!);
            if (current.StartsWith("/proc/", StringComparison.Ordinal))
            {
                return current;
            }
        }

        return null;
    }

    private static string? ResolveLink(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static StatxResult Status(FileDescriptor file, string path)
    {
        int raw = file.Number;
        return Libc.Statx(raw, string.Empty, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, out StatxResult status) == 0
            ? status
            : throw Failure(path, Errno.Last, "read");
    }

    private static unsafe byte[] ReadAll(FileDescriptor file, string path)
    {
        using var content = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        while (true)
        {
            nint read;
            fixed (byte* start = buffer)
            {
                read = Libc.Read(file, start, (nuint)buffer.Length);
            }

            if (read < 0)
            {
                int errno = Errno.Last;
                if (errno == Errno.EINTR)
                {
                    continue;
                }

                throw Failure(path, errno, "read");
            }

            if (read == 0)
            {
                return content.ToArray();
            }

            content.Write(buffer, 0, (int)read);
            if (content.Length > MaxReadBytes)
            {
                throw TooLarge(path);
            }
        }
    }

    private static unsafe void WriteAll(FileDescriptor file, byte[] bytes, string target)
    {
        fixed (byte* start = bytes)
        {
            for (int done = 0; done < bytes.Length;)
            {
                nint written = Libc.Write(file, start + done, (nuint)(bytes.Length - done));
                if (written < 0)
                {
                    int errno = Errno.Last;
                    if (errno == Errno.EINTR)
                    {
                        continue;
                    }

                    throw Failure(target, errno, "write");
                }

                done += (int)written;
            }
        }
    }

    /// <summary>Makes the rename itself durable. Best effort: the file is in place whatever this says.</summary>
    private static void SyncDirectory(string directory)
    {
        int raw = Libc.Open(directory, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        if (raw >= 0)
        {
            using var handle = new FileDescriptor(raw);
            _ = Libc.Fsync(handle);
        }
    }

    private static SafeFileException Exists(string path) =>
        new(FileProblem.Exists, path, "exists. Give -Force to replace it, or choose another path.");

    private static SafeFileException TooLarge(string path) =>
        new(FileProblem.TooLarge, path, $"is larger than {MaxReadBytes / (1024 * 1024)} MB: not a Taltun configuration or key file.");

    /// <summary>A failed system call as a problem and a sentence; nothing has been changed when this is thrown.</summary>
    private static SafeFileException Failure(string path, int errno, string action)
    {
        (FileProblem problem, string what) = errno switch
        {
            Errno.ENOENT when action == "read" => (FileProblem.NotFound, "does not exist"),
            Errno.ENOENT or Errno.ENOTDIR => (FileProblem.NotFound, "a directory on the way does not exist"),
            Errno.EACCES or Errno.EPERM => (FileProblem.PermissionDenied, "permission denied"),
            Errno.ENOSPC or Errno.EDQUOT => (FileProblem.Failed, "the file system is full"),
            Errno.EROFS => (FileProblem.Failed, "the file system is read-only"),
            Errno.ELOOP => (FileProblem.Failed, "too many symbolic links on the way"),
            Errno.EISDIR => (FileProblem.NotARegularFile, "is a directory"),
            _ => (FileProblem.Failed, "the system refused"),
        };
        string outcome = action == "write" ? " Nothing was changed." : string.Empty;
        return new SafeFileException(problem, path, $"cannot {action}: {what} ({Errno.Describe(errno)}).{outcome}", errno);
    }

    private static string Describe(int type) => type switch
    {
        Libc.S_IFDIR => "a directory",
        Libc.S_IFLNK => "a symbolic link",
        Libc.S_IFCHR => "a character device",
        Libc.S_IFBLK => "a block device",
        Libc.S_IFIFO => "a FIFO (named pipe)",
        Libc.S_IFSOCK => "a socket",
        _ => "not a regular file",
    };
}
