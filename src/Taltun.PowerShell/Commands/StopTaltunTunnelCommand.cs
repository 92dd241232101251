using System.Management.Automation;

namespace Taltun.PowerShell.Commands;

/// <summary>Stops Taltun tunnels gracefully: threads joined, routes and addresses removed, interface deleted.</summary>
[Cmdlet(VerbsLifecycle.Stop, "TaltunTunnel", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByName)]
[OutputType(typeof(void))]
public sealed class StopTaltunTunnelCommand : PSCmdlet
{
    private const string ByName = "Name";
    private const string AllSet = "All";

    /// <summary>Tunnel names; accepts tunnel objects from Get-TaltunStatus or Start-TaltunTunnel through the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ByName)]
    [ArgumentCompleter(typeof(TunnelNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>Stop every tunnel of this PowerShell process.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

    protected override void ProcessRecord()
    {
        IEnumerable<string> names = All ? TunnelRegistry.All.Select(t => t.Name) : Name;
        foreach (string name in names)
        {
            if (!TunnelRegistry.TryGet(name, out _))
            {
                WriteError(Errors.TunnelNotFound(name));
                continue;
            }

            if (ShouldProcess(name, "Stop Taltun tunnel"))
            {
                TunnelRegistry.Stop(name);
            }
        }
    }
}
