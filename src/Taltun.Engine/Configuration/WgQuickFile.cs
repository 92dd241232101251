using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Taltun.Crypto;

namespace Taltun.Configuration;

/// <summary>
/// wg-quick's configuration format, as wg-quick(8) and wg(8) read it: an [Interface] section and
/// [Peer] sections of Key = Value lines, keys and section names in any case, # starting a comment,
/// list values (Address, DNS, AllowedIPs) comma-separated and allowed on several lines, hooks
/// (PreUp, PostUp, PreDown, PostDown) repeatable. It is the file every WireGuard user has and the
/// one WireGuard's apps import. A file read starts in <see cref="TunnelMode.Peer"/> mode, named
/// after the file as wg-quick names its interface (wg0.conf is wg0). Everything Taltun cannot
/// honour is an error naming the line; nothing is skipped. No message quotes a key.
/// Stateless; thread-safe.
/// </summary>
public static partial class WgQuickFile
{
    private static readonly string[] InterfaceKeys = ["PrivateKey", "Address", "ListenPort", "MTU", "DNS", "Table", "PreUp", "PostUp", "PreDown", "PostDown", "SaveConfig", "FwMark"];
    private static readonly string[] PeerKeys = ["PublicKey", "PresharedKey", "AllowedIPs", "Endpoint", "PersistentKeepalive"];

    /// <summary>Keys that may be given on several lines: the lists, and hooks (each line one command).</summary>
    private static readonly string[] RepeatableKeys = ["Address", "DNS", "AllowedIPs", "PreUp", "PostUp", "PreDown", "PostDown"];

    /// <summary>Keys only wg-quick files have: one of them, or a [Peer] section, marks a file as wg-quick.</summary>
    private static readonly HashSet<string> OwnKeys = new(
        InterfaceKeys.Concat(PeerKeys).Except(["MTU", "DNS", "Table", "FwMark", "Endpoint"], StringComparer.OrdinalIgnoreCase),
        StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// True if <paramref name="text"/> is a wg-quick file rather than Taltun's TOML: it has an
    /// [Interface] or [Peer] header as wg-quick spells them (TOML is case-sensitive, and Taltun's
    /// tables are [interface] and [[peers]]), or a key only wg-quick has (PrivateKey, AllowedIPs, ...).
    /// </summary>
    public static bool IsWgQuick(string text)
    {
        foreach (string raw in text.Split('\n'))
        {
            string line = StripComment(raw).Trim();
            if (line.StartsWith('['))
            {
                if (line is "[Peer]" or "[Interface]")
                {
                    return true;
                }
            }
            else if (line.IndexOf('=') is > 0 and int equals && OwnKeys.Contains(line[..equals].Trim()))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The name of the tunnel a wg-quick file starts: the file's name without .conf, as wg-quick names the interface.</summary>
    public static string InterfaceNameOf(string path) => Path.GetFileNameWithoutExtension(path);

    /// <summary>Parses a wg-quick file; <paramref name="path"/> names it in errors and names the tunnel.</summary>
    public static TunnelConfiguration Parse(string text, string path) => new Reader(path).Read(text);

    /// <summary>
    /// The key of an error about a configuration read from a wg-quick file, as that file names it
    /// ("interface.vip" is "[Interface] Address", "peers[2].allowed_ips" is "[Peer] AllowedIPs",
    /// the line telling which peer); a name wg-quick has no word for is kept.
    /// </summary>
    internal static string KeyFor(string key)
    {
        Match peer = PeerKey().Match(key);
        if (peer.Success)
        {
            return peer.Groups["field"].Value switch
            {
                "" => "[Peer]",
                "public_key" => "[Peer] PublicKey",
                "endpoint" => "[Peer] Endpoint",
                "preshared_key" => "[Peer] PresharedKey",
                _ => "[Peer] AllowedIPs",
            };
        }

        return key switch
        {
            "interface" => "[Interface]",
            "interface.private_key" => "[Interface] PrivateKey",
            "interface.vip" => "[Interface] Address",
            "interface.dns" => "[Interface] DNS",
            "interface.pre_up" => "[Interface] PreUp",
            "interface.post_up" => "[Interface] PostUp",
            "interface.pre_down" => "[Interface] PreDown",
            "interface.post_down" => "[Interface] PostDown",
            "peers" => "[Peer]",
            _ => key,
        };
    }

    /// <summary>wg-quick's comments: from the first # to the end of the line, whatever precedes it (a hook's # too, as wg-quick cuts it).</summary>
    private static string StripComment(string line)
    {
        int hash = line.IndexOf('#');
        return hash < 0 ? line : line[..hash];
    }

    /// <summary>A list value's entries: wg-quick splits at commas and white space.</summary>
    private static string[] Entries(string value) =>
        value.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex(@"^peers(\[\d+\])?(\.(?<field>[a-z_]+))?$")]
    private static partial Regex PeerKey();

    /// <summary>One file's lines, read in order, with errors pointing at the file, line and key.</summary>
    private sealed class Reader(string path)
    {
        private readonly List<InterfaceAddress> _addresses = [];
        private readonly List<HookCommand> _hooks = [];
        private readonly List<PeerConfiguration> _peers = [];
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private TunnelConfiguration _config = new()
        {
            Mode = TunnelMode.Peer,
            SourcePath = path,
            SourceFormat = ConfigurationFormat.WgQuick,
            InterfaceName = InterfaceNameOf(path),
            ListenEndPoint = new IPEndPoint(IPAddress.Any, 0),
        };

        private string? _section;
        private bool _sawInterface;
        private PeerConfiguration? _peer;
        private int _line;

        public TunnelConfiguration Read(string text)
        {
            foreach (string raw in text.Split('\n'))
            {
                _line++;
                string line = StripComment(raw).Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                if (line.StartsWith('['))
                {
                    StartSection(line);
                    continue;
                }

                int equals = line.IndexOf('=');
                if (equals <= 0)
                {
                    throw Error("syntax", "not a Key = Value line or a [Interface] or [Peer] header; check for a missing '='.");
                }

                Set(line[..equals].Trim(), line[(equals + 1)..].Trim());
            }

            FinishPeer();
            if (!_sawInterface)
            {
                throw new ConfigurationException(path, 0, "[Interface]", "missing: a wg-quick file starts with an [Interface] section (PrivateKey, Address, ...).");
            }

            List<string> warnings = [.. _config.Warnings];
            if (ConfigurationFile.ExposedKeyWarning(path) is { } exposed && _config.PrivateKey is not null)
            {
                warnings.Add(exposed);
            }

            return _config with { Addresses = _addresses, Hooks = _hooks, Peers = _peers, Warnings = warnings };
        }

        private void StartSection(string header)
        {
            if (header.Equals("[Interface]", StringComparison.OrdinalIgnoreCase))
            {
                if (_sawInterface)
                {
                    throw Error("[Interface]", "a second [Interface] section; a wg-quick file has one.");
                }

                FinishPeer();
                _sawInterface = true;
                _section = "Interface";
            }
            else if (header.Equals("[Peer]", StringComparison.OrdinalIgnoreCase))
            {
                FinishPeer();
                _section = "Peer";
                _peer = new PeerConfiguration { PublicKey = null!, Line = _line };
            }
            else
            {
                throw Error(MessageText.Name(header), "unknown section; a wg-quick file has one [Interface] and any number of [Peer] sections.");
            }

            _seen.Clear();
        }

        private void FinishPeer()
        {
            if (_peer is null)
            {
                return;
            }

            if (_peer.PublicKey is null)
            {
                throw new ConfigurationException(path, _peer.Line, "[Peer] PublicKey", "missing: each peer is identified by its public key (the output of wg pubkey or New-TaltunKey).");
            }

            _peers.Add(_peer);
            _peer = null;
        }

        private void Set(string written, string value)
        {
            if (_section is null)
            {
                throw Error(MessageText.Name(written), "comes before any section; put it under [Interface] or [Peer].");
            }

            string[] known = _section == "Interface" ? InterfaceKeys : PeerKeys;
            string key = known.FirstOrDefault(k => k.Equals(written, StringComparison.OrdinalIgnoreCase))
                ?? throw Error($"[{_section}] {MessageText.Name(written)}", $"unknown key; [{_section}] accepts {string.Join(", ", known)}.");
            string name = $"[{_section}] {key}";
            if (!_seen.Add(key) && !RepeatableKeys.Contains(key))
            {
                throw Error(name, "set twice in this section; keep one.");
            }

            if (_section == "Interface")
            {
                SetInterface(key, name, value);
            }
            else
            {
                SetPeer(key, name, value);
            }
        }

        private void SetInterface(string key, string name, string value)
        {
            switch (key)
            {
                case "PrivateKey":
                    _config = _config with { PrivateKey = Key(name, value, PrivateKey.Parse) };
                    break;
                case "Address":
                    _addresses.AddRange(Entries(value).Select(a => InterfaceAddress.Parse(WithHostPrefix(a), 32, out string problem) ?? throw Error(name, problem)));
                    break;
                case "ListenPort":
                    _config = _config with { ListenEndPoint = new IPEndPoint(IPAddress.Any, (int)Number(name, value, 0, Limits.MaxPort)) };
                    break;
                case "MTU":
                    _config = _config with { Mtu = (int)Number(name, value, Limits.MinMtu, Limits.MaxMtu) };
                    break;
                case "DNS":
                    _config = _config with { Dns = DnsSettings.Parse(Entries(value), _config.Dns, out string dnsProblem) ?? throw Error(name, dnsProblem) };
                    break;
                case "Table":
                    _config = _config with
                    {
                        Table = value.ToLowerInvariant() switch
                        {
                            "auto" => RouteTable.Auto,
                            "off" => RouteTable.Off,
                            _ => throw Error(name, "Taltun routes into the main table (auto, the default) or not at all (off); it cannot use another table. Write Table = off and add the routes yourself in PostUp (ip route add ... dev %i table N)."),
                        },
                    };
                    break;
                case "SaveConfig":
                    _config = _config with
                    {
                        SaveConfig = value.ToLowerInvariant() switch
                        {
                            "true" => true,
                            "false" => false,
                            _ => throw Error(name, "must be true or false."),
                        },
                    };
                    break;
                case "FwMark":
                    _config = _config with { FirewallMark = FirewallMark(name, value) };
                    break;
                default:
                    if (value.Length > 0)
                    {
                        _hooks.Add(new HookCommand(Enum.Parse<HookPhase>(key), value) { Line = _line });
                    }

                    break;
            }
        }

        private void SetPeer(string key, string name, string value)
        {
            PeerConfiguration peer = _peer!;
            _peer = key switch
            {
                "PublicKey" => peer with { PublicKey = Key(name, value, PublicKey.Parse) },
                "PresharedKey" => peer with { PresharedKey = Key(name, value, PresharedKey.Parse) },
                "AllowedIPs" => peer with { AllowedIps = [.. peer.AllowedIps, .. Entries(value).Select(p => NetworkPrefix.Parse(p, out string problem) ?? throw Error(name, problem))] },
                "Endpoint" => peer with { Endpoint = EndpointText.TrySplit(value, out _, out _, out string problem) ? value : throw Error(name, problem) },
                _ => peer with { PersistentKeepalive = value.Equals("off", StringComparison.OrdinalIgnoreCase) ? 0 : (int)Number(name, value, 0, Limits.MaxPersistentKeepalive) },
            };
        }

        /// <summary>An address without a prefix is a host address, as ip address add takes it (wg-quick passes it on as written).</summary>
        private static string WithHostPrefix(string address) =>
            address.Contains('/') ? address : address.Contains(':') ? address + "/128" : address + "/32";

        private T Key<T>(string name, string value, Func<string, T> parse)
        {
            try
            {
                return parse(value);
            }
            catch (KeyFormatException e)
            {
                // The message says what is wrong with the text, never the text itself.
                throw Error(name, $"not a valid key: {e.Reason} Use the 44 characters wg genkey, wg pubkey or wg genpsk print.");
            }
        }

        private long Number(string name, string value, long min, long max) =>
            long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long number)
                ? number >= min && number <= max ? number : throw Error(name, $"{number} is out of range: use {min} to {max}.")
                : throw Error(name, $"{MessageText.Quote(value)} is not a whole number: use {min} to {max}.");

        /// <summary>wg's forms: off, a decimal number, or 0x and hex digits.</summary>
        private uint FirewallMark(string name, string value)
        {
            if (value.Equals("off", StringComparison.OrdinalIgnoreCase))
            {
                return 0;
            }

            bool hex = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
            return uint.TryParse(hex ? value[2..] : value, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out uint mark)
                ? mark
                : throw Error(name, $"{MessageText.Quote(value)} is not a firewall mark: write off, a number up to 4294967295, or 0x and hex digits.");
        }

        private ConfigurationException Error(string key, string problem) => new(path, _line, key, problem);
    }
}
