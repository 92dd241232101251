using System.Globalization;
using System.Net;
using System.Text;

namespace Taltun.Configuration;

/// <summary>Writing a configuration as a wg-quick file.</summary>
public static partial class WgQuickFile
{
    /// <summary>
    /// The wg-quick text of <paramref name="config"/>: what the engine runs, written as wg-quick
    /// writes it, so wg-quick, wireguard-go with <c>wg setconf</c> and WireGuard's apps set up the
    /// same tunnel. The mode's defaults become explicit (a client's hub carries the VPN subnet and
    /// the routes in its AllowedIPs and has a keepalive). <paramref name="lost"/> says what wg-quick
    /// has no words for; a configuration read from a wg-quick file loses nothing.
    /// </summary>
    public static string Format(TunnelConfiguration config, out IReadOnlyList<string> lost)
    {
        var losses = new List<string>();
        var text = new StringBuilder();
        text.Append("# WireGuard configuration for wg-quick and WireGuard's apps (written by Taltun).\n");
        text.Append("[Interface]\n");
        if (config.PrivateKey is not null)
        {
            Line(text, "PrivateKey", config.PrivateKey.ToBase64());
        }

        if (config.PrivateKeyFile is not null)
        {
            losses.Add($"private_key_file: wg-quick files hold the key itself, so the key read from {config.PrivateKeyFile} is written into this file; keep it private.");
        }

        if (config.Addresses.Count > 0)
        {
            Line(text, "Address", string.Join(", ", config.Addresses));
        }

        if (config.ListenEndPoint.Port != 0)
        {
            Line(text, "ListenPort", config.ListenEndPoint.Port.ToString(CultureInfo.InvariantCulture));
        }

        if (!config.ListenEndPoint.Address.Equals(IPAddress.Any) && !config.ListenEndPoint.Address.Equals(IPAddress.IPv6Any))
        {
            losses.Add($"local_addr {config.ListenEndPoint}: WireGuard listens on every address; only the port is kept.");
        }

        Line(text, "MTU", config.Mtu.ToString(CultureInfo.InvariantCulture));
        if (config.Dns is { } dns)
        {
            Line(text, "DNS", string.Join(", ", dns.Entries));
        }

        if (config.Table == RouteTable.Off)
        {
            Line(text, "Table", "off");
        }

        if (config.FirewallMark != 0)
        {
            Line(text, "FwMark", $"0x{config.FirewallMark.ToString("x", CultureInfo.InvariantCulture)}");
        }

        foreach (HookCommand hook in config.Hooks)
        {
            Line(text, hook.Phase.ToString(), hook.Command);
        }

        if (config.SaveConfig)
        {
            Line(text, "SaveConfig", "true");
        }

        foreach (PeerConfiguration peer in config.Peers)
        {
            text.Append("\n[Peer]\n");
            Line(text, "PublicKey", peer.PublicKey.ToBase64());
            if (peer.PresharedKey is not null)
            {
                Line(text, "PresharedKey", peer.PresharedKey.ToBase64());
            }

            List<IPNetwork> allowed = Widest(config.AllowedIpsOf(peer));
            if (allowed.Count > 0)
            {
                Line(text, "AllowedIPs", string.Join(", ", allowed));
            }

            if (peer.Endpoint is not null)
            {
                Line(text, "Endpoint", peer.Endpoint);
            }

            if (config.KeepaliveOf(peer) is > 0 and int keepalive)
            {
                Line(text, "PersistentKeepalive", keepalive.ToString(CultureInfo.InvariantCulture));
            }
        }

        losses.AddRange(TaltunOnly(config));
        lost = losses;
        return text.ToString();
    }

    /// <summary>What a Taltun tunnel does that a wg-quick file cannot say.</summary>
    private static IEnumerable<string> TaltunOnly(TunnelConfiguration config)
    {
        if (config.Mode == TunnelMode.Server && config.Relay != Routing.RelayMode.None)
        {
            yield return $"relay = \"{(config.Relay ?? Routing.RelayMode.All).ToString().ToLowerInvariant()}\": a Taltun hub relays between its peers itself; a wg-quick host relays only if it forwards (sysctl net.ipv4.ip_forward=1) and its firewall lets the packets through.";
        }

        if (config.Mode == TunnelMode.Server && config.Routes.Count > 0)
        {
            yield return $"routes {string.Join(", ", config.Routes)}: wg-quick routes only its peers' AllowedIPs; add these networks to the AllowedIPs of the peer behind them.";
        }

        foreach (HookCommand hook in config.Hooks.Where(h => h.Command.Contains('#')))
        {
            yield return $"{hook.Phase} {MessageText.WithoutKeys(hook.Command)}: wg-quick cuts a line at '#', so this hook would run without what follows it.";
        }

        if (config.ControlGroup is { } group)
        {
            yield return $"control_group = \"{group}\": a wg-quick file has no such setting; its control socket is root's alone.";
        }

        if (!config.MssClamping)
        {
            yield return "mss_clamping = false: wg-quick files have no such setting, and Taltun clamps the MSS of a tunnel started from one.";
        }

        if (config.KeepWarm)
        {
            yield return "keep_warm = true: wg-quick files have no such setting; start a tunnel from one with -KeepWarm to keep its loops warm.";
        }
    }

    /// <summary><paramref name="prefixes"/> without those another of them contains, in order: a hub's own address inside the VPN subnet it carries is said once.</summary>
    private static List<IPNetwork> Widest(IReadOnlyList<IPNetwork> prefixes) =>
        [.. prefixes.Where(p => !prefixes.Any(other => other != p && other.PrefixLength < p.PrefixLength && other.Contains(p.BaseAddress)))];

    private static void Line(StringBuilder text, string key, string value) => text.Append(key).Append(" = ").Append(value).Append('\n');
}
