using System.Globalization;
using System.Text;
using Taltun.Routing;

namespace Taltun.Configuration;

/// <summary>Writing a configuration back as TOML.</summary>
public static partial class ConfigurationFile
{
    /// <summary>
    /// Writes <paramref name="config"/> through <see cref="SafeFile"/>: mode 0600 (it may hold the
    /// private key), whole or not at all, never through a link or into a missing directory unless
    /// <paramref name="options"/> say so. The format is <paramref name="format"/>, by default the
    /// one the configuration was read in (TOML for one built from parameters). Returns what the
    /// format cannot express (see <see cref="WgQuickFile.Format"/>).
    /// </summary>
    public static IReadOnlyList<string> Save(TunnelConfiguration config, string path, FileWriteOptions? options = null, ConfigurationFormat? format = null)
    {
        string text = Format(config, format ?? config.SourceFormat, out IReadOnlyList<string> lost);
        SafeFile.WriteText(path, text, options ?? new FileWriteOptions());
        return lost;
    }

    /// <summary>
    /// The format a file to be written asks for by its name: .conf is wg-quick's (wg0.conf), .toml
    /// is TOML; null for any other name. Reading never goes by the name, only by the content.
    /// </summary>
    public static ConfigurationFormat? FormatOfName(string? path) => Path.GetExtension(path ?? string.Empty).ToLowerInvariant() switch
    {
        ".conf" => ConfigurationFormat.WgQuick,
        ".toml" => ConfigurationFormat.Toml,
        _ => null,
    };

    /// <summary>The text of <paramref name="config"/> in <paramref name="format"/>; <paramref name="lost"/> says what that format cannot express.</summary>
    public static string Format(TunnelConfiguration config, ConfigurationFormat format, out IReadOnlyList<string> lost)
    {
        if (format == ConfigurationFormat.WgQuick)
        {
            return WgQuickFile.Format(config, out lost);
        }

        lost = [];
        return Format(config);
    }

    /// <summary>The TOML text of <paramref name="config"/>, as <see cref="Save"/> writes it.</summary>
    public static string Format(TunnelConfiguration config)
    {
        var text = new StringBuilder();
        text.AppendLine("# Taltun tunnel configuration (written by Taltun; comments are not kept).");
        text.AppendLine("[interface]");
        text.AppendLine($"mode = {Quote(config.Mode.ToString().ToLowerInvariant())}");
        text.AppendLine($"tun_name = {Quote(config.InterfaceName)}");
        text.AppendLine(config.Addresses.Count == 1 ? $"vip = {Quote(config.Addresses[0].ToString())}" : $"vip = {List(config.Addresses.Select(a => a.ToString()))}");
        text.AppendLine($"local_addr = {Quote(config.ListenEndPoint.ToString())}");
        if (config.PrivateKeyFile is not null)
        {
            text.AppendLine($"private_key_file = {Quote(config.PrivateKeyFile)}");
        }
        else if (config.PrivateKey is not null)
        {
            text.AppendLine($"private_key = {Quote(config.PrivateKey.ToBase64())}");
        }

        text.AppendLine($"mtu = {config.Mtu.ToString(CultureInfo.InvariantCulture)}");
        text.AppendLine($"routes = {List(config.Routes.Select(r => r.ToString()))}");
        if (!config.MssClamping)
        {
            text.AppendLine("mss_clamping = false");
        }

        if (config.KeepWarm)
        {
            text.AppendLine("keep_warm = true");
        }

        if (config.Relay is { } relay)
        {
            text.AppendLine($"relay = {Quote(relay.ToString().ToLowerInvariant())}");
        }

        if (config.Dns is { } dns)
        {
            text.AppendLine($"dns = {List(dns.Entries)}");
        }

        if (config.Table == RouteTable.Off)
        {
            text.AppendLine("table = \"off\"");
        }

        if (config.FirewallMark != 0)
        {
            text.AppendLine($"fwmark = {config.FirewallMark.ToString(CultureInfo.InvariantCulture)}");
        }

        foreach (IGrouping<HookPhase, HookCommand> phase in config.Hooks.GroupBy(h => h.Phase))
        {
            string key = phase.Key switch
            {
                HookPhase.PreUp => "pre_up",
                HookPhase.PostUp => "post_up",
                HookPhase.PreDown => "pre_down",
                _ => "post_down",
            };
            text.AppendLine($"{key} = {List(phase.Select(h => h.Command))}");
        }

        if (config.SaveConfig)
        {
            text.AppendLine("save_config = true");
        }

        if (config.ControlGroup is { } group)
        {
            text.AppendLine($"control_group = {Quote(group)}");
        }

        foreach (PeerConfiguration peer in config.Peers)
        {
            text.AppendLine();
            text.AppendLine("[[peers]]");
            text.AppendLine($"public_key = {Quote(peer.PublicKey.ToBase64())}");
            if (peer.VirtualIP is not null)
            {
                text.AppendLine($"vip = {Quote(peer.VirtualIP.ToString())}");
            }

            if (peer.Endpoint is not null)
            {
                text.AppendLine($"endpoint = {Quote(peer.Endpoint)}");
            }

            if (peer.AllowedIps.Count > 0)
            {
                text.AppendLine($"allowed_ips = {List(peer.AllowedIps.Select(a => a.ToString()))}");
            }

            if (peer.PersistentKeepalive is { } keepalive)
            {
                text.AppendLine($"persistent_keepalive = {keepalive.ToString(CultureInfo.InvariantCulture)}");
            }

            if (peer.PresharedKey is not null)
            {
                text.AppendLine($"preshared_key = {Quote(peer.PresharedKey.ToBase64())}");
            }
        }

        foreach (RelayRule rule in config.RelayRules)
        {
            text.AppendLine();
            text.AppendLine("[[relay_rules]]");
            text.AppendLine($"source = {List(rule.Sources.Select(p => p.ToString()))}");
            text.AppendLine($"destination = {List(rule.Destinations.Select(p => p.ToString()))}");
            if (rule.Protocol != RelayProtocol.Any)
            {
                text.AppendLine($"protocol = {Quote(rule.Protocol.ToString().ToLowerInvariant())}");
            }

            if (rule.Ports.Count > 0)
            {
                text.AppendLine($"ports = {List(rule.Ports.Select(p => p.ToString()))}");
            }
        }

        return text.ToString();
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static string List(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(Quote)) + "]";
}
