using System.Management.Automation;
using Taltun.Configuration;
using Taltun.Control;

namespace Taltun.PowerShell.Commands;

/// <summary>
/// Makes a running tunnel match its configuration file again, as wg syncconf does: peers added,
/// removed and changed, the private key, listen port, firewall mark and routes; the sessions of
/// peers the file left as they were go on untouched. An invalid file changes nothing. What only
/// a restart can change (addresses, MTU, mode, DNS, hooks…) is a warning.
/// </summary>
[Cmdlet(VerbsData.Sync, "TaltunConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(TaltunTunnel))]
public sealed class SyncTaltunConfigCommand : TunnelCommand
{
    /// <summary>The file to apply (TOML or wg-quick); by default the one the tunnel was started from.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Return the tunnel as it runs after the reload.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ITunnelOperations tunnel = RequireTunnel();
        string? path = Path is null ? null : GetUnresolvedProviderPathFromPSPath(Path);
        if (path is null)
        {
            if (!TunnelLookup.TryRun(this, tunnel, () => tunnel.Report().Host.ConfigPath, out path))
            {
                return;
            }

            if (path is null)
            {
                WriteError(new ErrorRecord(
                    new ArgumentException($"Tunnel '{Name}' was not started from a file; give -Path."),
                    ErrorIds.InvalidConfiguration, ErrorCategory.InvalidArgument, Name));
                return;
            }
        }

        // Read here, as this user may: the tunnel's process parses it (a private_key_file it names is read there).
        if (!TunnelLookup.TryRun(this, tunnel, () => ConfigurationFile.ReadText(path), out var text)
            || !ShouldProcess(Name, $"Reload Taltun tunnel from {path}"))
        {
            return;
        }

        if (!TunnelLookup.TryRun(this, tunnel, () => tunnel.Reload(text, path), out var warnings))
        {
            return;
        }

        foreach (string warning in warnings)
        {
            WriteWarning(warning);
        }

        if (PassThru && TunnelLookup.TryRun(this, tunnel, tunnel.Report, out var report))
        {
            WriteObject(StatusSnapshot.Of(report));
        }
    }
}
