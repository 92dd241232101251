using System.Management.Automation;
using Taltun.Configuration;
using Taltun.Crypto;

namespace Taltun.PowerShell.Commands;

/// <summary>Writes a ready-to-run client configuration for a peer of a running hub: the client's key and address, the hub as its only peer.</summary>
[Cmdlet(VerbsCommon.New, "TaltunClientConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo), typeof(string))]
public sealed class NewTaltunClientConfigCommand : PSCmdlet
{
    /// <summary>The hub's running tunnel: its public key and virtual IP go into the client's file.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(TunnelNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Tunnel { get; set; } = string.Empty;

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

    /// <summary>The client's interface name (default tun0).</summary>
    [Parameter]
    [ValidatePattern(Limits.InterfaceNamePattern)]
    public string TunName { get; set; } = "tun0";

    /// <summary>The client's UDP address:port (default 0.0.0.0:9000).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string LocalAddress { get; set; } = "0.0.0.0:9000";

    /// <summary>A preshared key for this client; give the same to Add-TaltunPeer on the hub.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? PresharedKey { get; set; }

    /// <summary>Write the file here (mode 0600); without it, the TOML text is returned.</summary>
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
        RegisteredTunnel hub = TunnelLookup.Require(this, Tunnel);
        TunnelConfiguration client;
        try
        {
            client = new ClientConfiguration
            {
                PrivateKey = PrivateKey,
                VirtualIP = VirtualIP,
                Endpoint = Endpoint,
                Routes = Route ?? [],
                TunName = TunName,
                LocalAddress = LocalAddress,
                PresharedKey = PresharedKey,
            }.For(hub.Configuration, hub.Tunnel.PublicKey);
        }
        catch (ConfigurationException e)
        {
            WriteError(Errors.From(e));
            return;
        }
        catch (KeyFormatException e)
        {
            WriteError(KeyArgument.Error(e));
            return;
        }

        if (Path is null)
        {
            WriteObject(ConfigurationFile.Format(client));
            return;
        }

        string path = GetUnresolvedProviderPathFromPSPath(Path);
        var options = new FileWriteOptions { Overwrite = Force, FollowSymlink = FollowSymlink, CreateDirectories = Force };
        try
        {
            string target = SafeFile.Check(path, options);
            if (ShouldProcess(target, $"Write client configuration for {VirtualIP}"))
            {
                ConfigurationFile.Save(client, path, options);
                WriteObject(new FileInfo(target));
            }
        }
        catch (SafeFileException e)
        {
            WriteError(Errors.From(e));
        }
    }
}
