using System.Globalization;
using System.Net;
using System.Text;
using Taltun.Crypto;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Taltun.Configuration;

/// <summary>
/// Reads and writes Taltun's TOML configuration: the seed's [interface] and [[peers]] schema plus
/// public_key (mutual authentication needs it), private_key_file, preshared_key,
/// persistent_keepalive and allowed_ips. Reading walks Tomlyn's syntax tree so every error names
/// the line and key; unknown keys are errors, not silently ignored. Stateless; thread-safe.
/// </summary>
public static class ConfigurationFile
{
    private static readonly string[] InterfaceKeys = ["mode", "tun_name", "vip", "local_addr", "private_key", "private_key_file", "mtu", "routes", "mss_clamping"];
    private static readonly string[] PeerKeys = ["vip", "public_key", "endpoint", "allowed_ips", "persistent_keepalive", "preshared_key"];

    /// <summary>Loads and checks <paramref name="path"/>; throws <see cref="ConfigurationException"/> naming the line and key of the first problem.</summary>
    public static TunnelConfiguration Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(path, 0, "file", $"cannot be read: {e.Message}");
        }

        return Parse(text, path);
    }

    /// <summary>Parses configuration text; <paramref name="path"/> names it in errors and resolves a relative private_key_file.</summary>
    public static TunnelConfiguration Parse(string text, string path)
    {
        DocumentSyntax document = SyntaxParser.Parse(text, path, true);
        if (document.HasErrors)
        {
            DiagnosticMessage first = document.Diagnostics.First(d => d.Kind == DiagnosticMessageKind.Error);
            throw new ConfigurationException(path, first.Span.Start.Line + 1, "syntax", $"{first.Message}. Check quoting, brackets and '=' on that line.");
        }

        var reader = new Reader(path);
        foreach (KeyValueSyntax item in document.KeyValues)
        {
            throw reader.Error(item, KeyName(item), "keys belong under [interface] or [[peers]]; add the table header above it.");
        }

        var config = new TunnelConfiguration { SourcePath = path };
        bool sawInterface = false;
        var peers = new List<PeerConfiguration>();
        foreach (TableSyntaxBase table in document.Tables)
        {
            string name = table.Name?.ToString().Trim() ?? string.Empty;
            int line = table.Span.Start.Line + 1;
            if (table is TableSyntax && name == "interface" && !sawInterface)
            {
                sawInterface = true;
                config = reader.ReadInterface(table, config);
            }
            else if (table is TableArraySyntax && name == "peers")
            {
                peers.Add(reader.ReadPeer(table, peers.Count + 1));
            }
            else
            {
                throw new ConfigurationException(path, line, name, "unknown or repeated table; a configuration has one [interface] and any number of [[peers]].");
            }
        }

        if (!sawInterface)
        {
            throw new ConfigurationException(path, 0, "interface", "missing [interface] table (mode, vip, private_key, ...).");
        }

        List<string> warnings = [.. config.Warnings];
        if (config.PrivateKeyFile is null && ExposedKeyWarning(path) is { } warning)
        {
            warnings.Add(warning);
        }

        return config with { Peers = peers, Warnings = warnings };
    }

    /// <summary>Writes <paramref name="config"/> as TOML (mode 0600: it may hold the private key).</summary>
    public static void Save(TunnelConfiguration config, string path)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        // Write beside the target and rename: a crash never leaves half a configuration.
        string temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        using (var writer = new StreamWriter(temporary, Encoding.UTF8, options))
        {
            writer.Write(Format(config));
        }

        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The TOML text of <paramref name="config"/>, as <see cref="Save"/> writes it.</summary>
    public static string Format(TunnelConfiguration config)
    {
        var text = new StringBuilder();
        text.AppendLine("# Taltun tunnel configuration (written by Taltun; comments are not kept).");
        text.AppendLine("[interface]");
        text.AppendLine($"mode = {Quote(config.Mode == TunnelMode.Client ? "client" : "server")}");
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

        return text.ToString();
    }

    /// <summary>
    /// Reads a private key file (base64 or hex, as wg genkey writes it); a problem is a
    /// <see cref="ConfigurationException"/> for <paramref name="source"/>, <paramref name="line"/>
    /// and <paramref name="key"/> (a parameter name when <paramref name="source"/> is null).
    /// </summary>
    public static PrivateKey ReadPrivateKey(string file, string? source, int line, string key)
    {
        string text;
        try
        {
            text = File.ReadAllText(file).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(source, line, key, $"cannot read {file}: {e.Message}");
        }

        try
        {
            return PrivateKey.Parse(text);
        }
        catch (KeyFormatException e)
        {
            throw new ConfigurationException(source, line, key, $"{file} does not hold a valid private key: {e.Reason}");
        }
    }

    /// <summary>A warning (as wg-quick gives) if group or others may read this file holding a private key; null if not.</summary>
    public static string? ExposedKeyWarning(string path) => IsReadableByOthers(path)
        ? $"{path} holds a private key and is readable by group or others; restrict it: chmod 600 {path}"
        : null;

    private static bool IsReadableByOthers(string path)
    {
        try
        {
            return (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string KeyName(KeyValueSyntax item) => item.Key?.ToString().Trim() ?? "?";

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static string List(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(Quote)) + "]";

    /// <summary>Reads one table's keys with errors pointing at the file, line and key.</summary>
    private sealed class Reader(string path)
    {
        public TunnelConfiguration ReadInterface(TableSyntaxBase table, TunnelConfiguration config)
        {
            var seen = new HashSet<string>();
            PrivateKey? inlineKey = null;
            var warnings = new List<string>();
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
                                _ => throw Error(item, name, "must be \"server\" or \"client\"."),
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
                        string local = String(item, name);
                        config = config with
                        {
                            ListenEndPoint = IPEndPoint.TryParse(local, out IPEndPoint? endpoint) && local.Contains(':')
                                ? endpoint
                                : throw Error(item, name, $"'{local}' is not address:port, e.g. \"0.0.0.0:9000\" or \"[::]:9000\"."),
                        };
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
                }
            }

            if (inlineKey is not null && seen.Contains("private_key_file"))
            {
                throw new ConfigurationException(path, table.Span.Start.Line + 1, "interface.private_key", "set private_key or private_key_file, not both.");
            }

            return config with { Warnings = warnings };
        }

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
                        peer = peer with { VirtualIP = IPAddress.TryParse(vip, out IPAddress? address) ? address : throw Error(item, name, $"'{vip}' is not an IP address, e.g. \"10.0.0.2\".") };
                        break;
                    case "endpoint":
                        peer = peer with { Endpoint = String(item, name) };
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
                throw Error(item, $"{table}.{key}", $"unknown key; [{table}] accepts {string.Join(", ", known)}.");
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
            InterfaceAddress.TryParse(text, TunnelOptions.DefaultPrefixLength, out InterfaceAddress address)
                ? address
                : throw Error(item, key, $"'{text}' is not an IP address with an optional prefix, e.g. \"10.0.0.1\" or \"10.0.0.1/24\".");

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

        private static string Describe(SyntaxNode? value) => value switch
        {
            null => "nothing",
            StringValueSyntax => "a string",
            IntegerValueSyntax => "a number",
            BooleanValueSyntax => "true/false",
            ArraySyntax => "a list",
            InlineTableSyntax => "a table",
            _ => value.ToString()?.Trim() ?? "this value",
        };
    }
}
