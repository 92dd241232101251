using System.Management.Automation;

namespace Taltun.PowerShell.Commands;

/// <summary>A cmdlet that reads running tunnels chosen by names with wildcards (all when none), this process's and other processes'.</summary>
public abstract class TunnelSelectionCommand : PSCmdlet
{
    /// <summary>Tunnel names (wildcards allowed); all when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Tunnel")]
    [ArgumentCompleter(typeof(TunnelNameCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>The tunnels the names match; a name without wildcards that matches none is written as TunnelNotFound.</summary>
    private protected List<ListedTunnel> SelectTunnels() => TunnelLookup.Matching(this, Name);
}
