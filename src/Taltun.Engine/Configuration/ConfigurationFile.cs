using Taltun.Crypto;
using Taltun.Routing;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Taltun.Configuration;

/// <summary>
/// Reads and writes Taltun's TOML configuration: an [interface] table and [[peers]] entries
/// (public_key, vip, endpoint, allowed_ips, persistent_keepalive, preshared_key). Reading walks
/// Tomlyn's syntax tree so every error names the line and key; unknown keys are errors, not
/// silently ignored. ConfigurationFile.Reader.cs reads the tables, .Writer.cs writes them back.
/// A wg-quick file is recognised by its content and read by <see cref="WgQuickFile"/> instead.
/// Stateless; thread-safe.
/// </summary>
public static partial class ConfigurationFile
{
    private static readonly string[] InterfaceKeys = ["mode", "tun_name", "vip", "local_addr", "private_key", "private_key_file", "mtu", "routes", "mss_clamping", "keep_warm", "relay", "dns", "table", "pre_up", "post_up", "pre_down", "post_down", "fwmark", "save_config", "control_group"];
    private static readonly string[] PeerKeys = ["vip", "public_key", "endpoint", "allowed_ips", "persistent_keepalive", "preshared_key"];

    /// <summary>Every table and key name of the schema: the words a message may repeat from a file.</summary>
    internal static IEnumerable<string> SchemaNames => [.. InterfaceKeys, .. PeerKeys, .. RelayRuleKeys, "interface", "peers", "relay_rules"];

    /// <summary>Loads and checks <paramref name="path"/>; throws <see cref="ConfigurationException"/> naming the line and key of the first problem.</summary>
    public static TunnelConfiguration Load(string path) => Parse(ReadText(path), path);

    /// <summary>A configuration file's text; a file that cannot be read throws <see cref="ConfigurationException"/> saying why.</summary>
    public static string ReadText(string path)
    {
        try
        {
            return SafeFile.ReadText(path);
        }
        catch (SafeFileException e)
        {
            throw new ConfigurationException(path, 0, "file", e.Reason);
        }
    }

    /// <summary>
    /// Parses configuration text, TOML or wg-quick as its content says; <paramref name="path"/>
    /// names it in errors, resolves a relative private_key_file and, for a wg-quick file, names the tunnel.
    /// </summary>
    public static TunnelConfiguration Parse(string text, string path)
    {
        if (WgQuickFile.IsWgQuick(text))
        {
            return WgQuickFile.Parse(text, path);
        }

        DocumentSyntax document = ParseSyntax(text, path);
        if (document.HasErrors)
        {
            DiagnosticMessage first = document.Diagnostics.First(d => d.Kind == DiagnosticMessageKind.Error);
            throw new ConfigurationException(path, first.Span.Start.Line + 1, "syntax", $"{MessageText.FromParser(first.Message, text)}. Check quoting, brackets and '=' on that line.");
        }

        var reader = new Reader(path);
        foreach (KeyValueSyntax item in document.KeyValues)
        {
            throw reader.Error(item, MessageText.Name(KeyName(item)), "keys belong under [interface] or [[peers]]; add the table header above it.");
        }

        var config = new TunnelConfiguration { SourcePath = path };
        bool sawInterface = false;
        var peers = new List<PeerConfiguration>();
        var relayRules = new List<RelayRule>();
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
            else if (table is TableArraySyntax && name == "relay_rules")
            {
                relayRules.Add(reader.ReadRelayRule(table, relayRules.Count + 1));
            }
            else
            {
                throw new ConfigurationException(path, line, MessageText.Name(name), "unknown or repeated table; a configuration has one [interface], any number of [[peers]] and, with relay = \"rules\", [[relay_rules]] (or, as a wg-quick file, [Interface] and [Peer] sections).");
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

        return config with { Peers = peers, RelayRules = relayRules, Warnings = warnings };
    }

    /// <summary>
    /// The TOML parser's syntax tree. The parser reports most mistakes as diagnostics, but a few
    /// make it throw (a backslash as the file's last character: it fails to describe the escape
    /// that never came): that is a syntax error too. Its message is not repeated: it may quote the
    /// text around the mistake.
    /// </summary>
    private static DocumentSyntax ParseSyntax(string text, string path)
    {
        try
        {
            return SyntaxParser.Parse(text, path, true);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or OverflowException or IndexOutOfRangeException)
        {
            throw new ConfigurationException(path, 0, "syntax", "the TOML parser could not read this file: a string ends in an unfinished escape (a backslash with nothing valid after it). Check the strings' backslashes and closing quotes.");
        }
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
            text = SafeFile.ReadText(file).Trim();
        }
        catch (SafeFileException e)
        {
            throw new ConfigurationException(source, line, key, $"cannot read {file}: {e.Reason}");
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
}
