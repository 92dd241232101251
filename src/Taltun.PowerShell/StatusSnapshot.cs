using Taltun.Configuration;
using Taltun.Device;

namespace Taltun.PowerShell;

/// <summary>Turns the engine's status into the module's output objects (keys as base64 text, times local, drop reasons by name).</summary>
internal static class StatusSnapshot
{
    public static TaltunTunnel Of(RegisteredTunnel registered)
    {
        TunnelStatus status = registered.Tunnel.GetStatus();
        TunnelConfiguration config = registered.Configuration;
        return new TaltunTunnel
        {
            Name = status.InterfaceName,
            Mode = config.Mode.ToString(),
            VirtualIP = [.. status.Addresses.Select(a => a.ToString())],
            ListenPort = status.ListenPort,
            PublicKey = status.PublicKey.ToBase64(),
            Mtu = status.Mtu,
            Routes = [.. status.Routes.Select(r => r.ToString())],
            NetworkNamespace = registered.NetworkNamespace,
            ConfigPath = config.SourcePath,
            Started = status.Started.LocalDateTime,
            Relay = status.Relay,
            Peers = [.. status.Peers.Select(p => Of(status.InterfaceName, p))],
            Drops = Names(status.Drops),
        };
    }

    public static TaltunPeer Of(string tunnel, PeerStatus peer) => new()
    {
        Tunnel = tunnel,
        PublicKey = peer.PublicKey.ToBase64(),
        VirtualIP = peer.VirtualIP?.ToString(),
        Endpoint = peer.Endpoint?.ToString(),
        AllowedIPs = [.. peer.AllowedIps.Select(a => a.ToString())],
        LatestHandshake = peer.LatestHandshake?.LocalDateTime,
        RxBytes = peer.RxBytes,
        TxBytes = peer.TxBytes,
        RxPackets = peer.RxPackets,
        TxPackets = peer.TxPackets,
        Drops = Names(peer.Drops),
        PersistentKeepalive = (int)peer.PersistentKeepalive.TotalSeconds,
        HasPresharedKey = peer.HasPresharedKey,
    };

    private static Dictionary<string, long> Names(IReadOnlyDictionary<Protocol.DropReason, long> drops) =>
        drops.ToDictionary(d => d.Key.ToString(), d => d.Value);
}
