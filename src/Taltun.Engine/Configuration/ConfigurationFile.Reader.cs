using System.Net;
using Taltun.Crypto;
using Tomlyn.Syntax;

namespace Taltun.Configuration;

/// <summary>Reading a configuration's tables, key by key.</summary>
public static partial class ConfigurationFile
{
    /// <summary>Reads one table's keys with errors pointing at the file, line and key.</summary>
    private sealed partial class Reader(string path)
    {
        public TunnelConfiguration ReadInterface(TableSyntaxBase table, TunnelConfiguration config)
        {
            var seen = new HashSet<string>();
            PrivateKey? inlineKey = null;
            var warnings = new List<string>();
            var hooks = new List<HookCommand>();
            foreach (KeyValueSyntax item in table.Items)
            {
                string key = Known(item, "interface", InterfaceKeys, seen);
                string name = $"interface.{key}";
                switch (key)
                {
                    case "mode":
                        config = config with
                        {
                            Mode = String(item, name).ToLowerInvariant() switch
                            {
                                "server" => TunnelMode.Server,
                                "client" => TunnelMode.Client,
                                "peer" => TunnelMode.Peer,
                                _ => throw Error(item, name, "must be \"server\" (a hub), \"client\" (a spoke) or \"peer\" (plain WireGuard, as wg-quick)."),
                            },
                        };
                        break;
                    case "tun_name":
                        config = config with { InterfaceName = String(item, name) };
                        break;
                    case "vip":
                        config = config with { Addresses = [.. StringOrList(item, name).Select(v => Address(item, name, v))] };
                        break;
                    case "local_addr":
                        config = config with { ListenEndPoint = EndpointText.ParseListen(String(item, name), out string problem) ?? throw Error(item, name, problem) };
                        break;
                    case "private_key":
                        inlineKey = Key(item, name, PrivateKey.Parse);
                        config = config with { PrivateKey = inlineKey };
                        break;
                    case "private_key_file":
                        string file = String(item, name);
                        string resolved = Path.IsPathRooted(file) ? file : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", file);
                        config = config with { PrivateKeyFile = file, PrivateKey = ReadKeyFile(item, name, resolved) };
                        if (ExposedKeyWarning(resolved) is { } exposed)
                        {
                            warnings.Add(exposed);
                        }

                        break;
                    case "mtu":
                        config = config with { Mtu = (int)Integer(item, name, Limits.MinMtu, Limits.MaxMtu) };
                        break;
                    case "routes":
                        config = config with { Routes = [.. List(item, name).Select(r => Prefix(item, name, r))] };
                        break;
                    case "mss_clamping":
                        config = config with { MssClamping = Boolean(item, name) };
                        break;
                    case "keep_warm":
                        config = config with { KeepWarm = Boolean(item, name) };
                        break;
                    case "relay":
                        config = config with { Relay = RelayModeOf(item, name) };
                        break;
                    case "dns":
                        config = config with { Dns = DnsSettings.Parse(List(item, name), null, out string dnsProblem) ?? throw Error(item, name, dnsProblem) };
                        break;
                    case "table":
                        config = config with
                        {
                            Table = String(item, name).ToLowerInvariant() switch
                            {
                                "auto" => RouteTable.Auto,
                                "off" => RouteTable.Off,
                                _ => throw Error(item, name, "must be \"auto\" (routes into the main table, the default) or \"off\" (no routes; add your own in post_up)."),
                            },
                        };
                        break;
                    case "fwmark":
                        config = config with { FirewallMark = (uint)Integer(item, name, 0, uint.MaxValue) };
                        break;
                    case "save_config":
                        config = config with { SaveConfig = Boolean(item, name) };
                        break;
                    case "control_group":
                        string group = String(item, name);
                        config = config with { ControlGroup = GroupName.IsValid(group) ? group : throw Error(item, name, $"{MessageText.Quote(group)} is not a group name: a Linux group name is 1-32 letters, digits, '_', '-' or '.', not starting with '-'.") };
                        break;
                    default:
                        hooks.AddRange(StringOrList(item, name).Select(c => new HookCommand(HookPhaseOf(key), OneLine(item, name, c)) { Line = item.Span.Start.Line + 1 }));
                        break;
                }
            }

            if (inlineKey is not null && seen.Contains("private_key_file"))
            {
                throw new ConfigurationException(path, table.Span.Start.Line + 1, "interface.private_key", "set private_key or private_key_file, not both.");
            }

            return config with { Warnings = warnings, Hooks = [.. hooks.OrderBy(h => h.Phase)] };
        }

        /// <summary>A hook is one line, as wg-quick has it: a line break would become a line of its own in a wg-quick file.</summary>
        private string OneLine(KeyValueSyntax item, string key, string command) => command.Any(char.IsControl)
            ? throw Error(item, key, "a hook is one line of shell without control characters; join the commands with ';' or '&&', or put them in a script.")
            : command;

        private static HookPhase HookPhaseOf(string key) => key switch
        {
            "pre_up" => HookPhase.PreUp,
            "post_up" => HookPhase.PostUp,
            "pre_down" => HookPhase.PreDown,
            _ => HookPhase.PostDown,
        };

        public PeerConfiguration ReadPeer(TableSyntaxBase table, int number)
        {
            var seen = new HashSet<string>();
            int line = table.Span.Start.Line + 1;
            PublicKey? publicKey = null;
            var peer = new PeerConfiguration { PublicKey = null!, Line = line };
            foreach (KeyValueSyntax item in table.Items)
            {
                string key = Known(item, "peers", PeerKeys, seen);
                string name = $"peers[{number}].{key}";
                switch (key)
                {
                    case "public_key":
                        publicKey = Key(item, name, PublicKey.Parse);
                        break;
                    case "vip":
                        string vip = String(item, name);
                        peer = peer with { VirtualIP = IPAddress.TryParse(vip, out IPAddress? address) ? address : throw Error(item, name, $"{MessageText.Quote(vip)} is not an IP address, e.g. \"10.0.0.2\".") };
                        break;
                    case "endpoint":
                        string endpoint = String(item, name);
                        peer = peer with { Endpoint = EndpointText.TrySplit(endpoint, out _, out _, out string problem) ? endpoint : throw Error(item, name, problem) };
                        break;
                    case "allowed_ips":
                        peer = peer with { AllowedIps = [.. List(item, name).Select(p => Prefix(item, name, p))] };
                        break;
                    case "persistent_keepalive":
                        peer = peer with { PersistentKeepalive = (int)Integer(item, name, 0, Limits.MaxPersistentKeepalive) };
                        break;
                    case "preshared_key":
                        peer = peer with { PresharedKey = Key(item, name, PresharedKey.Parse) };
                        break;
                }
            }

            if (publicKey is null)
            {
                throw new ConfigurationException(path, line, $"peers[{number}].public_key", "missing: each peer is identified by its public key (the output of New-TaltunKey or wg pubkey).");
            }

            return peer with { PublicKey = publicKey };
        }

        public ConfigurationException Error(SyntaxNode item, string key, string problem) =>
            new(path, item.Span.Start.Line + 1, key, problem);

        private string Known(KeyValueSyntax item, string table, string[] known, HashSet<string> seen)
        {
            string key = KeyName(item);
            if (!known.Contains(key))
            {
                throw Error(item, $"{table}.{MessageText.Name(key)}", $"unknown key; [{table}] accepts {string.Join(", ", known)}.");
            }

            if (!seen.Add(key))
            {
                throw Error(item, $"{table}.{key}", "set twice in this table.");
            }

            return key;
        }

        private string String(KeyValueSyntax item, string key) => item.Value is StringValueSyntax text && text.Value is not null
            ? text.Value
            : throw Error(item, key, $"must be a string (in quotes), not {Describe(item.Value)}.");

        private bool Boolean(KeyValueSyntax item, string key) => item.Value is BooleanValueSyntax flag
            ? flag.Value
            : throw Error(item, key, $"must be true or false (no quotes), not {Describe(item.Value)}.");

        private long Integer(KeyValueSyntax item, string key, long min, long max) => item.Value is IntegerValueSyntax number
            ? number.Value >= min && number.Value <= max ? number.Value : throw Error(item, key, $"{number.Value} is out of range: use {min} to {max}.")
            : throw Error(item, key, $"must be a whole number, not {Describe(item.Value)}.");

        private List<string> List(KeyValueSyntax item, string key)
        {
            if (item.Value is not ArraySyntax array)
            {
                throw Error(item, key, $"must be a list of strings, e.g. [\"192.168.50.0/24\"], not {Describe(item.Value)}.");
            }

            var values = new List<string>();
            foreach (ArrayItemSyntax element in array.Items)
            {
                values.Add(element.Value is StringValueSyntax text && text.Value is not null
                    ? text.Value
                    : throw Error(item, key, $"every element must be a string, not {Describe(element.Value)}."));
            }

            return values;
        }

        private List<string> StringOrList(KeyValueSyntax item, string key) =>
            item.Value is ArraySyntax ? List(item, key) : [String(item, key)];

        private InterfaceAddress Address(KeyValueSyntax item, string key, string text) =>
            InterfaceAddress.Parse(text, TunnelOptions.DefaultPrefixLength, out string problem) ?? throw Error(item, key, problem);

        private IPNetwork Prefix(KeyValueSyntax item, string key, string text) =>
            NetworkPrefix.Parse(text, out string problem) ?? throw Error(item, key, problem);

        private T Key<T>(KeyValueSyntax item, string key, Func<string, T> parse)
        {
            string text = String(item, key);
            try
            {
                return parse(text);
            }
            catch (KeyFormatException e)
            {
                // The message says what is wrong with the text, never the text itself.
                throw Error(item, key, $"not a valid key: {e.Reason} Use 44 characters of base64 or 64 hex digits.");
            }
        }

        private PrivateKey ReadKeyFile(KeyValueSyntax item, string key, string file) =>
            ReadPrivateKey(file, path, item.Span.Start.Line + 1, key);

        // The kind of value only: the value itself may be a key written in the wrong place.
        private static string Describe(SyntaxNode? value) => value switch
        {
            null => "nothing",
            StringValueSyntax => "a string",
            IntegerValueSyntax => "a whole number",
            FloatValueSyntax => "a decimal number",
            BooleanValueSyntax => "true/false",
            DateTimeValueSyntax => "a date",
            ArraySyntax => "a list",
            InlineTableSyntax => "a table",
            _ => "another kind of value",
        };
    }
}
