namespace Taltun.PowerShell;

/// <summary>A running tunnel, as Start-TaltunTunnel and Get-TaltunStatus return it. A snapshot; never holds the private key.</summary>
public sealed class TaltunTunnel
{
    /// <summary>The interface name, which names the tunnel in every cmdlet.</summary>
    public required string Name { get; init; }

    public required string Mode { get; init; }

    /// <summary>The tunnel's own addresses with prefix, e.g. 10.0.0.1/24.</summary>
    public required AddressList VirtualIP { get; init; }

    public int ListenPort { get; init; }

    public required string PublicKey { get; init; }

    public int Mtu { get; init; }

    /// <summary>Kernel routes Taltun added through the interface.</summary>
    public required AddressList Routes { get; init; }

    /// <summary>The network namespace the interface lives in, or null for the process's own.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>The file it was started from (Save-TaltunConfig and Sync-TaltunConfig use it), or null.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>The process running the tunnel: this PowerShell, or another (a service, say) whose control socket the cmdlets reach it by.</summary>
    public int ProcessId { get; init; }

    public DateTime Started { get; init; }

    /// <summary>How long the tunnel had run when this snapshot was taken.</summary>
    public TimeSpan Uptime { get; init; }

    /// <summary>What the tunnel relays between its peers: all, none, rules (N), or off (not a hub).</summary>
    public required string Relay { get; init; }

    public required TaltunPeer[] Peers { get; init; }

    /// <summary>Every drop on the tunnel by reason, including packets from no known peer.</summary>
    public required DropCounts Drops { get; init; }

    public override string ToString() => Name;
}
