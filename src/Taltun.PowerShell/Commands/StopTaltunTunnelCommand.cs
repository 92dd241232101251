using System.Management.Automation;

namespace Taltun.PowerShell.Commands;

/// <summary>
/// Stops Taltun tunnels gracefully: threads joined, routes and addresses removed, interface deleted;
/// a tunnel another process runs is stopped by that process, as if it had stopped it itself.
/// A peer piped in names the tunnel it belongs to (its Tunnel property), never a tunnel by its key;
/// each tunnel is stopped once however many of its peers arrive.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "TaltunTunnel", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByName)]
[OutputType(typeof(void))]
public sealed class StopTaltunTunnelCommand : PSCmdlet
{
    private const string ByName = "Name";
    private const string AllSet = "All";

    private readonly HashSet<string> _stopped = new(StringComparer.Ordinal);

    /// <summary>Tunnel names; accepts names, and tunnels or peers (by their Name or Tunnel property) through the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ByName)]
    [Alias("Tunnel")]
    [ArgumentCompleter(typeof(TunnelNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>Stop every tunnel of this PowerShell process (not those other processes run: name them).</summary>
    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

    protected override void ProcessRecord()
    {
        IEnumerable<string> names = All ? TunnelRegistry.All.Select(t => t.Name) : Name;
        foreach (string name in names)
        {
            if (_stopped.Contains(name))
            {
                continue;
            }

            if (TunnelLookup.Find(name) is not { } tunnel)
            {
                WriteError(Errors.TunnelNotFound(name));
                continue;
            }

            if (ShouldProcess(name, "Stop Taltun tunnel"))
            {
                _stopped.Add(name);
                if (TunnelLookup.TryRun(this, tunnel, tunnel.StopTunnel, out var problems))
                {
                    foreach (Exception problem in problems)
                    {
                        WriteError(Errors.Of(problem, name));
                    }
                }
            }
        }
    }
}
