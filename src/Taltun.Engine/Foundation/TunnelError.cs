namespace Taltun.Foundation;

/// <summary>What went wrong starting or running a tunnel: the PowerShell layer maps each to an ErrorId and category.</summary>
public enum TunnelError
{
    /// <summary>The options are invalid; nothing on the system was touched.</summary>
    InvalidOptions,

    /// <summary>Not root and no CAP_NET_ADMIN.</summary>
    PermissionDenied,

    /// <summary>/dev/net/tun is missing or unusable (no tun module, or a container without the device).</summary>
    TunUnavailable,

    /// <summary>An interface with the requested name already exists.</summary>
    InterfaceExists,

    /// <summary>The UDP listen address is in use.</summary>
    PortInUse,

    /// <summary>The listen address is not one of this host's addresses.</summary>
    AddressUnavailable,

    /// <summary>The kernel refused an address, MTU, link or route change.</summary>
    Netlink,

    /// <summary>A system call failed in a way no other kind describes.</summary>
    System,

    /// <summary>A PreUp or PostUp hook failed (a non-zero exit, or no end in time); the start was undone.</summary>
    HookFailed,

    /// <summary>The tunnel's DNS settings could not be applied (resolvectl or resolvconf refused, or a file could not be written); the start was undone.</summary>
    DnsFailed,

    /// <summary>The tunnel's control socket (/var/run/wireguard/NAME.sock) could not be served: another live tunnel has the name, or the directory is unsafe.</summary>
    ControlSocket,

    /// <summary>A tunnel of another process did not answer on its control socket, or answered with something that is not Taltun's.</summary>
    ControlUnavailable,
}
