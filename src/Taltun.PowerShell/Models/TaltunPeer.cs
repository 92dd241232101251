namespace Taltun.PowerShell;

/// <summary>One peer of a running tunnel, as Get-TaltunStatus -Peer and Add-TaltunPeer -PassThru return it. A snapshot.</summary>
public sealed class TaltunPeer
{
    /// <summary>The tunnel this peer belongs to; with PublicKey, pipes into Remove-TaltunPeer.</summary>
    public required string Tunnel { get; init; }

    public required string PublicKey { get; init; }

    /// <summary>The peer's virtual IP as configured, or null.</summary>
    public string? VirtualIP { get; init; }

    /// <summary>Where its packets come from now (host:port), or null before it has written.</summary>
    public string? Endpoint { get; init; }

    public required AddressList AllowedIPs { get; init; }

    /// <summary>Local time of the latest completed handshake, or null if none yet.</summary>
    public DateTime? LatestHandshake { get; init; }

    /// <summary>How long ago the latest handshake completed when this snapshot was taken, or null if none yet (wg show's "latest handshake").</summary>
    public TimeSpan? HandshakeAge { get; init; }

    public long RxBytes { get; init; }

    public long TxBytes { get; init; }

    public long RxPackets { get; init; }

    public long TxPackets { get; init; }

    /// <summary>Dropped packets of this peer by reason (BadTag, ReplayedCounter, ...).</summary>
    public required DropCounts Drops { get; init; }

    /// <summary>Seconds between keepalives when idle; 0 when off.</summary>
    public int PersistentKeepalive { get; init; }

    public bool HasPresharedKey { get; init; }

    public override string ToString() => PublicKey;
}
