using Taltun.Control;
using Taltun.Device;

namespace Taltun.PowerShell;

/// <summary>Turns the engine's status into the module's output objects (keys as base64 text, times local, drop reasons by name).</summary>
internal static class StatusSnapshot
{
    public static TaltunTunnel Of(TunnelReport report)
    {
        TunnelStatus status = report.Status;
        TunnelHostInfo host = report.Host;
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return new TaltunTunnel
        {
            Name = status.InterfaceName,
            Mode = host.Mode.ToString(),
            VirtualIP = Texts(status.Addresses),
            ListenPort = status.ListenPort,
            PublicKey = status.PublicKey.ToBase64(),
            Mtu = status.Mtu,
            Routes = Texts(status.Routes),
            NetworkNamespace = host.NetworkNamespace,
            ConfigPath = host.ConfigPath,
            ProcessId = host.ProcessId,
            Started = status.Started.LocalDateTime,
            Uptime = now - status.Started,
            Relay = status.Relay,
            Peers = [.. status.Peers.Select(p => Of(status.InterfaceName, p, now))],
            Drops = Names(status.Drops),
        };
    }

    public static TaltunPeer Of(string tunnel, PeerStatus peer, DateTimeOffset now) => new()
    {
        Tunnel = tunnel,
        PublicKey = peer.PublicKey.ToBase64(),
        VirtualIP = peer.VirtualIP?.ToString(),
        Endpoint = peer.Endpoint?.ToString(),
        AllowedIPs = Texts(peer.AllowedIps),
        LatestHandshake = peer.LatestHandshake?.LocalDateTime,
        HandshakeAge = now - peer.LatestHandshake,
        RxBytes = peer.RxBytes,
        TxBytes = peer.TxBytes,
        RxPackets = peer.RxPackets,
        TxPackets = peer.TxPackets,
        Drops = Names(peer.Drops),
        PersistentKeepalive = (int)peer.PersistentKeepalive.TotalSeconds,
        HasPresharedKey = peer.HasPresharedKey,
    };

    private static DropCounts Names(IReadOnlyDictionary<Protocol.DropReason, long> drops) =>
        new(drops.ToDictionary(d => d.Key.ToString(), d => d.Value));

    private static AddressList Texts<T>(IEnumerable<T> items) where T : notnull => new([.. items.Select(i => i.ToString()!)]);
}
