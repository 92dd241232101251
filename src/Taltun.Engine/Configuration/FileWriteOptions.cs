namespace Taltun.Configuration;

/// <summary>What <see cref="SafeFile.WriteText(string, string, FileWriteOptions)"/> may do besides writing a new file in an existing directory. Immutable.</summary>
public sealed record FileWriteOptions
{
    /// <summary>Replace an existing regular file (the default); when false an existing file is <see cref="FileProblem.Exists"/>, decided atomically.</summary>
    public bool Overwrite { get; init; } = true;

    /// <summary>Write to the file a symbolic link points to; by default a link is <see cref="FileProblem.SymbolicLink"/>.</summary>
    public bool FollowSymlink { get; init; }

    /// <summary>Create missing directories (mode 0700); by default a missing directory is <see cref="FileProblem.NotFound"/>.</summary>
    public bool CreateDirectories { get; init; }

    /// <summary>The written file's permissions: 0600 (it may hold a key) unless it is meant for others to read, as a resolv.conf is.</summary>
    public UnixFileMode Mode { get; init; } = UnixFileMode.UserRead | UnixFileMode.UserWrite;
}
