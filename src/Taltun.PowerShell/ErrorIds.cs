namespace Taltun.PowerShell;

/// <summary>
/// Stable ErrorIds: scripts and Pester tests match on these (<c>Should -Throw -ErrorId</c>),
/// so a name never changes once shipped.
/// </summary>
public static class ErrorIds
{
    /// <summary>A key parameter's text is not 44 base64 characters or 64 hex digits.</summary>
    public const string InvalidKey = "InvalidKey";

    /// <summary>A configuration file or parameter is invalid; the message names file, line and key (or the parameter).</summary>
    public const string InvalidConfiguration = "InvalidConfiguration";

    /// <summary>Not root and no CAP_NET_ADMIN.</summary>
    public const string PermissionDenied = "PermissionDenied";

    /// <summary>/dev/net/tun is missing or unusable.</summary>
    public const string TunUnavailable = "TunUnavailable";

    /// <summary>The interface name is taken on the system.</summary>
    public const string InterfaceExists = "InterfaceExists";

    /// <summary>The UDP listen port is in use.</summary>
    public const string PortInUse = "PortInUse";

    /// <summary>The listen address is not one of the host's.</summary>
    public const string AddressUnavailable = "AddressUnavailable";

    /// <summary>The kernel refused an address, MTU, link or route change.</summary>
    public const string NetlinkFailed = "NetlinkFailed";

    /// <summary>Any other failure of the engine.</summary>
    public const string TunnelFailed = "TunnelFailed";

    /// <summary>No running tunnel has that name in this PowerShell process.</summary>
    public const string TunnelNotFound = "TunnelNotFound";

    /// <summary>A tunnel with that name already runs in this PowerShell process.</summary>
    public const string TunnelAlreadyRunning = "TunnelAlreadyRunning";

    /// <summary>The tunnel has no peer with that public key.</summary>
    public const string PeerNotFound = "PeerNotFound";

    /// <summary>The file exists and -Force was not given.</summary>
    public const string FileExists = "FileExists";

    /// <summary>The path to write is a symbolic link and -FollowSymlink was not given.</summary>
    public const string SymbolicLinkNotFollowed = "SymbolicLinkNotFollowed";

    /// <summary>The path to write is (or leads to) a directory, device, FIFO or socket.</summary>
    public const string NotARegularFile = "NotARegularFile";

    /// <summary>The directory to write in does not exist and -Force was not given.</summary>
    public const string DirectoryNotFound = "DirectoryNotFound";

    /// <summary>The file system refused the write (permission, full, read-only, I/O error); nothing was changed.</summary>
    public const string WriteFailed = "WriteFailed";

    /// <summary>A PreUp or PostUp hook failed (the start was undone), or a PreDown or PostDown hook failed (the stop completed).</summary>
    public const string HookFailed = "HookFailed";

    /// <summary>DNS settings could not be applied (the start was undone) or put back (the stop completed).</summary>
    public const string DnsFailed = "DnsFailed";

    /// <summary>The tunnel's control socket could not be served (another live tunnel has its name, or the directory is unsafe); the start was undone.</summary>
    public const string ControlSocket = "ControlSocket";

    /// <summary>A tunnel of another process did not answer on its control socket.</summary>
    public const string ControlUnavailable = "ControlUnavailable";
}
