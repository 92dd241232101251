namespace Taltun.PowerShell;

/// <summary>
/// A running tunnel's configuration, as Get-TaltunConfig returns it (wg showconf's counterpart):
/// the settings as objects, the peers as definitions Add-TaltunPeer and Start-TaltunTunnel -Peer
/// take, and the file's text. Keys are here only when asked for with -IncludeSecrets.
/// </summary>
public sealed class TaltunConfig
{
    /// <summary>The tunnel's name (its interface).</summary>
    public required string Name { get; init; }

    public required string Mode { get; init; }

    public required AddressList VirtualIP { get; init; }

    /// <summary>The UDP address:port it listens on.</summary>
    public required string ListenAddress { get; init; }

    public int Mtu { get; init; }

    public required AddressList Routes { get; init; }

    /// <summary>Name servers and search domains the host uses while the tunnel runs.</summary>
    public required AddressList Dns { get; init; }

    public uint FirewallMark { get; init; }

    /// <summary>The group that may operate the tunnel from other processes, or null.</summary>
    public string? ControlGroup { get; init; }

    /// <summary>The file the tunnel was started from, or null.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>The private key in base64 with -IncludeSecrets; otherwise null.</summary>
    public string? PrivateKey { get; init; }

    /// <summary>The file the private key is read from (private_key_file), or null.</summary>
    public string? PrivateKeyPath { get; init; }

    /// <summary>The peers, in order; each pipes into Add-TaltunPeer.</summary>
    public required TaltunPeerDefinition[] Peers { get; init; }

    /// <summary>The configuration as a file of the format asked for (TOML by default).</summary>
    public required string Text { get; init; }

    public override string ToString() => Name;
}
