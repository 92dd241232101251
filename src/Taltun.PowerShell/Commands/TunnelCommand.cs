using System.Management.Automation;
using Taltun.Control;

namespace Taltun.PowerShell.Commands;

/// <summary>
/// A cmdlet that acts on one running tunnel, named by -Name (alias -Tunnel) or bound by property
/// name from the pipeline (tunnel objects' Name, peer objects' Tunnel, a CSV's Tunnel column).
/// </summary>
public abstract class TunnelCommand : PSCmdlet
{
    /// <summary>The running tunnel: this process's, or one another process runs.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Tunnel")]
    [ArgumentCompleter(typeof(TunnelNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>The tunnel -Name names, or the cmdlet ends with TunnelNotFound.</summary>
    private protected ITunnelOperations RequireTunnel() => TunnelLookup.Require(this, Name);
}
