using System.Management.Automation;
using Taltun.Configuration;
using Taltun.Control;
using Taltun.Crypto;

namespace Taltun.PowerShell.Commands;

/// <summary>
/// Writes a ready-to-run client configuration for a peer of a running hub: the client's key and
/// address, the hub as its only peer. As Taltun TOML, or with -Format WgQuick as a wg-quick file
/// that WireGuard's apps and wg-quick import, and with -QrCode also as a QR code the phone apps scan.
/// </summary>
[Cmdlet(VerbsCommon.New, "TaltunClientConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo), typeof(string))]
public sealed class NewTaltunClientConfigCommand : PSCmdlet
{
    /// <summary>The hub's running tunnel: its public key and virtual IP go into the client's file.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("Tunnel")]
    [ArgumentCompleter(typeof(TunnelNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>The client's private key; binds from New-TaltunKey output.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string PrivateKey { get; set; } = string.Empty;

    /// <summary>The client's virtual IP (the one given to Add-TaltunPeer); it gets the hub's prefix length.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string VirtualIP { get; set; } = string.Empty;

    /// <summary>The hub's address as clients reach it, host:port (the hub cannot know its public address).</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Endpoint { get; set; } = string.Empty;

    /// <summary>Networks the client routes through the hub besides the VPN subnet, e.g. 192.168.50.0/24, or 0.0.0.0/1 and 128.0.0.0/1.</summary>
    [Parameter]
    [ValidateNotNull]
    public string[]? Route { get; set; }

    /// <summary>Name servers and search domains the client uses while connected, e.g. the hub's address and corp.example.</summary>
    [Parameter]
    [ValidateNotNull]
    public string[]? Dns { get; set; }

    /// <summary>The client's interface name in a TOML file (default tun0); a wg-quick file is named after itself.</summary>
    [Parameter]
    [ValidatePattern(Limits.InterfaceNamePattern)]
    public string? TunName { get; set; }

    /// <summary>The client's UDP address:port (default 0.0.0.0:9000 in TOML; a wg-quick client lets the system choose).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LocalAddress { get; set; }

    /// <summary>A preshared key for this client; give the same to Add-TaltunPeer on the hub.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? PresharedKey { get; set; }

    /// <summary>Toml (Start-TaltunTunnel reads it) or WgQuick (WireGuard's apps and wg-quick read it); by default WgQuick for a -Path ending in .conf or with -QrCode, else Toml.</summary>
    [Parameter]
    public ConfigurationFormat? Format { get; set; }

    /// <summary>Also the QR code WireGuard's phone apps scan: a PNG beside -Path (same name, .png, mode 0600), or without -Path the code itself in Unicode half blocks for the terminal.</summary>
    [Parameter]
    public SwitchParameter QrCode { get; set; }

    /// <summary>Write the file here (mode 0600); without it, the text (or with -QrCode, the terminal QR code) is returned.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Overwrite an existing file, and create its directory (mode 0700) if it does not exist.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>If the path is a symbolic link, replace the file it points to (by default a link is refused).</summary>
    [Parameter]
    public SwitchParameter FollowSymlink { get; set; }

    protected override void ProcessRecord()
    {
        ITunnelOperations hub = TunnelLookup.Require(this, Name);
        if (!TunnelLookup.TryRun(this, hub, () => (Configuration: hub.Configuration(secrets: false), hub.Report().Status.PublicKey), out var running))
        {
            return;
        }

        ConfigurationFormat format = Format ?? (QrCode ? ConfigurationFormat.WgQuick : ConfigurationFile.FormatOfName(Path) ?? ConfigurationFormat.Toml);
        if (QrCode && format != ConfigurationFormat.WgQuick)
        {
            WriteError(new ErrorRecord(
                new ArgumentException("-QrCode makes a code for WireGuard's apps, which read wg-quick files: use -Format WgQuick (or leave -Format out)."),
                ErrorIds.InvalidConfiguration, ErrorCategory.InvalidArgument, "QrCode"));
            return;
        }

        if (TunName is not null && format == ConfigurationFormat.WgQuick)
        {
            WriteWarning($"-TunName is not written: a wg-quick file names its tunnel after itself (client.conf is client).");
        }

        string text;
        try
        {
            TunnelConfiguration client = new ClientConfiguration
            {
                PrivateKey = PrivateKey,
                VirtualIP = VirtualIP,
                Endpoint = Endpoint,
                Routes = Route ?? [],
                Dns = Dns ?? [],
                TunName = TunName ?? TunnelConfiguration.DefaultInterfaceName,
                LocalAddress = LocalAddress ?? (format == ConfigurationFormat.WgQuick ? "0.0.0.0:0" : $"0.0.0.0:{TunnelOptions.DefaultPort}"),
                PresharedKey = PresharedKey,
            }.For(running.Configuration, running.PublicKey);
            text = ConfigurationFile.Format(client, format, out IReadOnlyList<string> lost);
            foreach (string warning in lost)
            {
                WriteWarning(warning);
            }

            if (Path is null)
            {
                WriteObject(QrCode ? ConfigurationQrCode.Terminal(text) : text);
                return;
            }

            WriteFiles(text);
        }
        catch (ConfigurationException e)
        {
            WriteError(Errors.From(e));
        }
        catch (KeyFormatException e)
        {
            WriteError(KeyArgument.Error(e));
        }
    }

    /// <summary>The configuration, and with -QrCode its PNG beside it; both checked before either is written.</summary>
    private void WriteFiles(string text)
    {
        string path = GetUnresolvedProviderPathFromPSPath(Path);
        string? png = QrCode ? System.IO.Path.ChangeExtension(path, ".png") : null;
        if (png == path)
        {
            WriteError(new ErrorRecord(
                new ArgumentException($"-Path {path} is where the QR code goes: give the configuration's own name (client.conf), and the PNG is written beside it (client.png)."),
                ErrorIds.InvalidConfiguration, ErrorCategory.InvalidArgument, path));
            return;
        }

        var options = new FileWriteOptions { Overwrite = Force, FollowSymlink = FollowSymlink, CreateDirectories = Force };
        try
        {
            string target = SafeFile.Check(path, options);
            string? pngTarget = png is null ? null : SafeFile.Check(png, options);
            if (!ShouldProcess(pngTarget is null ? target : $"{target} and {pngTarget}", $"Write client configuration for {VirtualIP}"))
            {
                return;
            }

            SafeFile.WriteText(path, text, options);
            WriteObject(new FileInfo(target));
            if (png is not null)
            {
                SafeFile.WriteBytes(png, ConfigurationQrCode.Png(text), options);
                WriteObject(new FileInfo(pngTarget!));
            }
        }
        catch (SafeFileException e)
        {
            WriteError(Errors.From(e));
        }
    }
}
