using System.Management.Automation;
using Taltun.Configuration;

namespace Taltun.PowerShell.Commands;

/// <summary>Converts a configuration file between Taltun's TOML and wg-quick's format, either way.</summary>
[Cmdlet(VerbsData.Convert, "TaltunConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo), typeof(string))]
public sealed class ConvertTaltunConfigCommand : PSCmdlet
{
    /// <summary>The file to convert, TOML or wg-quick (told apart by content); binds from Get-ChildItem output.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "ConfigPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Where to write the result (mode 0600, it holds the private key); without it the text is returned.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary>The format to write: Toml or WgQuick; by default what -Destination's name says (.conf or .toml), else the other one than the file's.</summary>
    [Parameter]
    public ConfigurationFormat? Format { get; set; }

    /// <summary>Overwrite an existing file, and create its directory (mode 0700) if it does not exist.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>If -Destination is a symbolic link, replace the file it points to (by default a link is refused).</summary>
    [Parameter]
    public SwitchParameter FollowSymlink { get; set; }

    protected override void ProcessRecord()
    {
        TunnelConfiguration config;
        try
        {
            config = ConfigurationFile.Load(GetUnresolvedProviderPathFromPSPath(Path));
        }
        catch (ConfigurationException e)
        {
            WriteError(Errors.From(e));
            return;
        }

        foreach (string warning in config.Warnings)
        {
            WriteWarning(warning);
        }

        ConfigurationFormat format = Format
            ?? ConfigurationFile.FormatOfName(Destination)
            ?? (config.SourceFormat == ConfigurationFormat.Toml ? ConfigurationFormat.WgQuick : ConfigurationFormat.Toml);
        string text = ConfigurationFile.Format(config, format, out IReadOnlyList<string> lost);
        foreach (string warning in lost)
        {
            WriteWarning(warning);
        }

        if (Destination is null)
        {
            WriteObject(text);
            return;
        }

        string destination = GetUnresolvedProviderPathFromPSPath(Destination);
        if (format == ConfigurationFormat.WgQuick && WgQuickFile.InterfaceNameOf(destination) != config.InterfaceName)
        {
            WriteWarning($"A wg-quick file names its tunnel after itself: {System.IO.Path.GetFileName(destination)} starts a tunnel named '{WgQuickFile.InterfaceNameOf(destination)}', not '{config.InterfaceName}'.");
        }

        var options = new FileWriteOptions { Overwrite = Force, FollowSymlink = FollowSymlink, CreateDirectories = Force };
        try
        {
            string target = SafeFile.Check(destination, options);
            if (ShouldProcess(target, $"Write {System.IO.Path.GetFileName(Path)} as {format}"))
            {
                SafeFile.WriteText(destination, text, options);
                WriteObject(new FileInfo(target));
            }
        }
        catch (SafeFileException e)
        {
            WriteError(Errors.From(e));
        }
    }
}
