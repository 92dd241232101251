namespace Taltun.Configuration;

/// <summary>Why a file could not be read or written; the cmdlets give each its own ErrorId.</summary>
public enum FileProblem
{
    /// <summary>Something is already at the path and overwriting was not asked for.</summary>
    Exists,

    /// <summary>The path is a symbolic link and following it was not asked for.</summary>
    SymbolicLink,

    /// <summary>A directory, device, FIFO or socket: not a file Taltun reads or writes.</summary>
    NotARegularFile,

    /// <summary>The file (for reading) or its directory (for writing) does not exist.</summary>
    NotFound,

    /// <summary>The system refused access (EACCES, EPERM).</summary>
    PermissionDenied,

    /// <summary>Larger than any configuration or key file.</summary>
    TooLarge,

    /// <summary>The file system failed: full, read-only, over quota, an I/O error.</summary>
    Failed,
}

/// <summary>
/// A file Taltun was asked to read or write could not be, and nothing was changed: the message
/// names the path, what is wrong and what to do; it never contains the file's content.
/// </summary>
public sealed class SafeFileException : IOException
{
    public SafeFileException(FileProblem problem, string path, string reason, int errno = 0)
        : base($"{path}: {reason}")
    {
        Problem = problem;
        Path = path;
        Reason = reason;
        Errno = errno;
    }

    public FileProblem Problem { get; }

    /// <summary>The path the problem is about (the link's target when a link was followed, the directory when it is missing).</summary>
    public string Path { get; }

    /// <summary>The message without the path.</summary>
    public string Reason { get; }

    /// <summary>The system's error number, or 0 when the problem was found before any system call failed.</summary>
    public int Errno { get; }
}
