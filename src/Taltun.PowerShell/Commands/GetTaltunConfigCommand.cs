using System.Management.Automation;
using Taltun.Configuration;

namespace Taltun.PowerShell.Commands;

/// <summary>
/// Gets a running tunnel's configuration, with every change made since it started, as wg showconf
/// shows it: an object, or with -AsText the file's text (TOML, or wg-quick with -Format WgQuick).
/// Private and preshared keys are left out unless -IncludeSecrets asks for them.
/// </summary>
[Cmdlet(VerbsCommon.Get, "TaltunConfig")]
[OutputType(typeof(TaltunConfig))]
[OutputType(typeof(string))]
public sealed class GetTaltunConfigCommand : TunnelSelectionCommand
{
    /// <summary>Include the private key and the preshared keys (only root and the tunnel's own user may read them).</summary>
    [Parameter]
    public SwitchParameter IncludeSecrets { get; set; }

    /// <summary>Return only the text of the file.</summary>
    [Parameter]
    public SwitchParameter AsText { get; set; }

    /// <summary>The text's format: Toml (the default) or WgQuick.</summary>
    [Parameter]
    public ConfigurationFormat Format { get; set; } = ConfigurationFormat.Toml;

    protected override void ProcessRecord()
    {
        foreach (ListedTunnel listed in SelectTunnels())
        {
            string name = listed.Tunnel.Name;
            if (!TunnelLookup.TryRun(this, listed, t => t.Configuration(IncludeSecrets), out var config))
            {
                continue;
            }

            string text = ConfigurationFile.Format(config, Format, out IReadOnlyList<string> lost);
            foreach (string warning in lost)
            {
                WriteWarning($"Tunnel '{name}': {warning}");
            }

            WriteObject(AsText ? text : Of(name, config, text));
        }
    }

    private static TaltunConfig Of(string name, TunnelConfiguration config, string text) => new()
    {
        Name = name,
        Mode = config.Mode.ToString(),
        VirtualIP = new([.. config.Addresses.Select(a => a.ToString())]),
        ListenAddress = config.ListenEndPoint.ToString(),
        Mtu = config.Mtu,
        Routes = new([.. config.Routes.Select(r => r.ToString())]),
        Dns = new([.. config.Dns?.Entries ?? []]),
        FirewallMark = config.FirewallMark,
        ControlGroup = config.ControlGroup,
        ConfigPath = config.SourcePath,
        PrivateKey = config.PrivateKey?.ToBase64(),
        PrivateKeyPath = config.PrivateKeyFile,
        Peers = [.. config.Peers.Select(p => new TaltunPeerDefinition
        {
            PublicKey = p.PublicKey.ToBase64(),
            VirtualIP = p.VirtualIP?.ToString(),
            Endpoint = p.Endpoint,
            AllowedIPs = [.. p.AllowedIps.Select(a => a.ToString())],
            // 0 (off) rather than null, so the definition binds to Add-TaltunPeer's range-checked parameter.
            PersistentKeepalive = p.PersistentKeepalive ?? 0,
            PresharedKey = p.PresharedKey?.ToBase64(),
        })],
        Text = text,
    };
}
