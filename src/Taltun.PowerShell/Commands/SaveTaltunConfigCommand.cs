using System.Management.Automation;
using Taltun.Configuration;
using Taltun.Control;

namespace Taltun.PowerShell.Commands;

/// <summary>Saves a running tunnel's configuration, with the peers added and removed since it started, in the format it was started from (like wg-quick's SaveConfig).</summary>
[Cmdlet(VerbsData.Save, "TaltunConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FileInfo))]
public sealed class SaveTaltunConfigCommand : TunnelCommand
{
    /// <summary>Where to write; by default the file the tunnel was started from.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Toml or WgQuick; by default what -Path's name says (.conf or .toml), else the format of the file the tunnel was started from (TOML for one started from parameters).</summary>
    [Parameter]
    public ConfigurationFormat? Format { get; set; }

    /// <summary>Create the file's directory (mode 0700) if it does not exist.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>If the path is a symbolic link, replace the file it points to (by default a link is refused).</summary>
    [Parameter]
    public SwitchParameter FollowSymlink { get; set; }

    /// <summary>Return the written file.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ITunnelOperations tunnel = RequireTunnel();
        if (!TunnelLookup.TryRun(this, tunnel, () => tunnel.Configuration(secrets: true), out var config))
        {
            return;
        }

        string? path = Path is null ? config.SourcePath : GetUnresolvedProviderPathFromPSPath(Path);
        if (path is null)
        {
            WriteError(new ErrorRecord(
                new ArgumentException($"Tunnel '{Name}' was not started from a file; give -Path."),
                ErrorIds.InvalidConfiguration, ErrorCategory.InvalidArgument, Name));
            return;
        }

        var options = new FileWriteOptions { FollowSymlink = FollowSymlink, CreateDirectories = Force };
        try
        {
            string target = SafeFile.Check(path, options);
            if (ShouldProcess(target, $"Save configuration of tunnel '{Name}' ({config.Peers.Count} peers)"))
            {
                foreach (string warning in ConfigurationFile.Save(config, path, options, Format ?? (Path is null ? null : ConfigurationFile.FormatOfName(path))))
                {
                    WriteWarning(warning);
                }

                if (PassThru)
                {
                    WriteObject(new FileInfo(target));
                }
            }
        }
        catch (SafeFileException e)
        {
            WriteError(Errors.From(e));
        }
    }
}
