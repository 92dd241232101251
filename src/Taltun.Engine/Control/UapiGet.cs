using System.Buffers;
using System.Net;
using System.Text;
using Taltun.Configuration;
using Taltun.Crypto;
using Taltun.Device;

namespace Taltun.Control;

/// <summary>
/// Writes a userspace-API <c>get=1</c> reply (without its final errno line) as wireguard-go
/// writes it: the interface (private key, port, firewall mark), then per peer its keys, endpoint,
/// last handshake as Unix seconds and nanoseconds, byte counters, keepalive and allowed IPs in
/// the order they were added. Keys are written as hex straight into the buffer, not through
/// strings. Without secrets (a caller let in by the control group) the private and preshared
/// keys are left out, which <c>wg show</c> reads as none.
/// Deliberately unlike wireguard-go: peers come in the order they were added (wireguard-go's
/// follow Go's map order, which changes from call to call), and <c>listen_port</c> is always
/// written (a running Taltun tunnel always has its port; wireguard-go leaves out a port of 0).
/// </summary>
internal static class UapiGet
{
    private static readonly byte[] NoKey = new byte[Key32.Size];

    public static void Write(Tunnel tunnel, bool secrets, IBufferWriter<byte> output)
    {
        TunnelConfiguration config = tunnel.Configuration;
        TunnelStatus status = tunnel.GetStatus();
        var configured = new Dictionary<PublicKey, PeerConfiguration>(config.Peers.Count);
        foreach (PeerConfiguration peer in config.Peers)
        {
            configured[peer.PublicKey] = peer;
        }

        if (secrets && config.PrivateKey is { } privateKey)
        {
            Key(output, "private_key", privateKey.Span);
        }

        Line(output, $"listen_port={status.ListenPort}");
        if (config.FirewallMark != 0)
        {
            Line(output, $"fwmark={config.FirewallMark}");
        }

        foreach (PeerStatus peer in status.Peers)
        {
            Key(output, "public_key", peer.PublicKey.Span);
            if (secrets)
            {
                PresharedKey? presharedKey = configured.GetValueOrDefault(peer.PublicKey)?.PresharedKey;
                Key(output, "preshared_key", presharedKey is null ? NoKey : presharedKey.Span);
            }

            Line(output, "protocol_version=1");
            if (peer.Endpoint is { } endpoint)
            {
                Line(output, $"endpoint={Text(endpoint)}");
            }

            long nanoseconds = peer.LatestHandshake is { } handshake ? (handshake - DateTimeOffset.UnixEpoch).Ticks * 100 : 0;
            Line(output, $"last_handshake_time_sec={nanoseconds / 1_000_000_000}");
            Line(output, $"last_handshake_time_nsec={nanoseconds % 1_000_000_000}");
            Line(output, $"tx_bytes={peer.TxBytes}");
            Line(output, $"rx_bytes={peer.RxBytes}");
            Line(output, $"persistent_keepalive_interval={(int)peer.PersistentKeepalive.TotalSeconds}");
            foreach (IPNetwork prefix in InAddedOrder(peer.AllowedIps, config, configured.GetValueOrDefault(peer.PublicKey)))
            {
                Line(output, $"allowed_ip={prefix}");
            }
        }
    }

    /// <summary>
    /// A peer's prefixes as wireguard-go lists them, in the order they were added: the routing
    /// table keeps them sorted, the configuration in that order (a virtual IP, the allowed IPs as
    /// written or added, a client's hub's subnet and routes). Any the configuration does not name
    /// keep their sorted place at the end.
    /// </summary>
    private static IEnumerable<IPNetwork> InAddedOrder(IReadOnlyList<IPNetwork> prefixes, TunnelConfiguration config, PeerConfiguration? peer)
    {
        if (peer is null || prefixes.Count < 2)
        {
            return prefixes;
        }

        var order = new Dictionary<IPNetwork, int>();
        foreach ((IPNetwork claim, _) in config.ClaimsOf(peer, config.Hub?.PublicKey == peer.PublicKey))
        {
            order.TryAdd(new InterfaceAddress(claim.BaseAddress, claim.PrefixLength).Network, order.Count);
        }

        return prefixes.OrderBy(p => order.GetValueOrDefault(p, int.MaxValue));
    }

    /// <summary>An IPv4 peer reached through a dual-stack socket is written as IPv4, as wg prints it.</summary>
    private static string Text(IPEndPoint endpoint) => endpoint.Address.IsIPv4MappedToIPv6
        ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port).ToString()
        : endpoint.ToString();

    private static void Line(IBufferWriter<byte> output, string line)
    {
        int length = Encoding.ASCII.GetByteCount(line) + 1;
        Span<byte> span = output.GetSpan(length);
        Encoding.ASCII.GetBytes(line, span);
        span[length - 1] = (byte)'\n';
        output.Advance(length);
    }

    private static void Key(IBufferWriter<byte> output, string name, ReadOnlySpan<byte> key)
    {
        const string Digits = "0123456789abcdef";
        int length = name.Length + 1 + (2 * key.Length) + 1;
        Span<byte> span = output.GetSpan(length);
        int at = Encoding.ASCII.GetBytes(name, span);
        span[at++] = (byte)'=';
        foreach (byte b in key)
        {
            span[at++] = (byte)Digits[b >> 4];
            span[at++] = (byte)Digits[b & 0xf];
        }

        span[at] = (byte)'\n';
        output.Advance(length);
    }
}
