using System.Management.Automation;
using Taltun.Configuration;
using Taltun.Foundation;

namespace Taltun.PowerShell;

/// <summary>ErrorRecords for the engine's failures: each kind has its ErrorId and category, with the object it was about.</summary>
internal static class Errors
{
    public static ErrorRecord From(TunnelException e, object? target) => e.Error switch
    {
        TunnelError.InvalidOptions => new(e, ErrorIds.InvalidConfiguration, ErrorCategory.InvalidArgument, target),
        TunnelError.PermissionDenied => new(e, ErrorIds.PermissionDenied, ErrorCategory.PermissionDenied, target),
        TunnelError.TunUnavailable => new(e, ErrorIds.TunUnavailable, ErrorCategory.ResourceUnavailable, target),
        TunnelError.InterfaceExists => new(e, ErrorIds.InterfaceExists, ErrorCategory.ResourceExists, target),
        TunnelError.PortInUse => new(e, ErrorIds.PortInUse, ErrorCategory.ResourceBusy, target),
        TunnelError.AddressUnavailable => new(e, ErrorIds.AddressUnavailable, ErrorCategory.InvalidArgument, target),
        TunnelError.Netlink => new(e, ErrorIds.NetlinkFailed, ErrorCategory.InvalidOperation, target),
        TunnelError.HookFailed => new(e, ErrorIds.HookFailed, ErrorCategory.OperationStopped, target),
        TunnelError.DnsFailed => new(e, ErrorIds.DnsFailed, ErrorCategory.InvalidOperation, target),
        TunnelError.ControlSocket => new(e, ErrorIds.ControlSocket, ErrorCategory.ResourceExists, target),
        TunnelError.ControlUnavailable => new(e, ErrorIds.ControlUnavailable, ErrorCategory.ConnectionError, target),
        _ => new(e, ErrorIds.TunnelFailed, ErrorCategory.NotSpecified, target),
    };

    public static ErrorRecord From(ConfigurationException e) =>
        new(e, ErrorIds.InvalidConfiguration, ErrorCategory.InvalidData, (object?)e.File ?? e.Key);

    /// <summary>A file that could not be written: nothing was changed, and the problem decides the ErrorId and category.</summary>
    public static ErrorRecord From(SafeFileException e) => e.Problem switch
    {
        FileProblem.Exists => new(e, ErrorIds.FileExists, ErrorCategory.ResourceExists, e.Path),
        FileProblem.SymbolicLink => new(e, ErrorIds.SymbolicLinkNotFollowed, ErrorCategory.InvalidArgument, e.Path),
        FileProblem.NotARegularFile => new(e, ErrorIds.NotARegularFile, ErrorCategory.InvalidArgument, e.Path),
        FileProblem.NotFound => new(e, ErrorIds.DirectoryNotFound, ErrorCategory.ObjectNotFound, e.Path),
        FileProblem.PermissionDenied => new(e, ErrorIds.WriteFailed, ErrorCategory.PermissionDenied, e.Path),
        _ => new(e, ErrorIds.WriteFailed, ErrorCategory.WriteError, e.Path),
    };

    /// <summary>A refusal of a tunnel operation, here or over another process's control socket, as the error its kind makes.</summary>
    public static ErrorRecord Of(Exception e, string tunnel) => e switch
    {
        ConfigurationException c => From(c),
        Crypto.KeyFormatException k => KeyArgument.Error(k),
        SafeFileException f => From(f),
        TunnelException t => From(t, tunnel),
        _ => new(e, ErrorIds.TunnelFailed, ErrorCategory.NotSpecified, tunnel),
    };

    public static ErrorRecord TunnelNotFound(string name) =>
        new(new ItemNotFoundException($"No Taltun tunnel named '{name}' runs on this host: neither this PowerShell process nor another serves it ({Control.ControlOptions.DefaultDirectory}/{name}.sock). Get-TaltunStatus lists the running ones."),
            ErrorIds.TunnelNotFound, ErrorCategory.ObjectNotFound, name);

    public static ErrorRecord PeerNotFound(string tunnel, string publicKey) =>
        new(new ItemNotFoundException($"Tunnel '{tunnel}' has no peer with public key {publicKey}. Get-TaltunStatus -Name {tunnel} -Peer lists its peers."),
            ErrorIds.PeerNotFound, ErrorCategory.ObjectNotFound, publicKey);
}
