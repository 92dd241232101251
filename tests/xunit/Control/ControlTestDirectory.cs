namespace Taltun.Tests.Control;

/// <summary>A directory of its own for a test's control sockets, so no test meets another's (or another program's) socket by name.</summary>
internal static class ControlTestDirectory
{
    /// <summary>A new directory under /tmp, mode 0755 as wireguard-go makes /var/run/wireguard, so other users may reach a socket in it.</summary>
    public static string Create()
    {
        string directory = Directory.CreateTempSubdirectory("cta-").FullName;
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return directory;
    }
}
