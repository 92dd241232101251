using System.Text.RegularExpressions;

namespace Taltun.Configuration;

/// <summary>
/// What of a user's text may appear in a message. No part of a key may: a value that could be
/// one (a long run of base64 or hex characters) is described instead of quoted, wherever it was
/// written, and a parser's message keeps no run of four or more key characters taken from the
/// file except Taltun's own key and table names. Stateless; thread-safe.
/// </summary>
internal static partial class MessageText
{
    /// <summary>A run this long of base64 or hex characters is treated as a key: no address, port or interface name has one.</summary>
    private const int KeyLikeRun = 16;

    private static readonly HashSet<string> SchemaWords = new(
        ConfigurationFile.SchemaNames.SelectMany(n => n.Split('_', '.')),
        StringComparer.Ordinal);

    /// <summary>The value in single quotes, or a description if it may be a key.</summary>
    public static string Quote(string value) => LooksLikeKey(value) ? "(a value that looks like a key, not shown)" : $"'{value}'";

    /// <summary>A key or table name as written, or a description if it may be a key.</summary>
    public static string Name(string name) => LooksLikeKey(name) ? "(a name that looks like a key)" : name;

    /// <summary>
    /// A TOML parser's message about <paramref name="source"/>, with every run of four or more key
    /// characters that occurs in the file replaced by "…": the parser quotes the tokens it trips
    /// over and the earlier definition of a repeated key, which may be a key.
    /// </summary>
    public static string FromParser(string message, string source) =>
        KeyCharacters().Replace(message, run => SchemaWords.Contains(run.Value) || !source.Contains(run.Value, StringComparison.Ordinal) ? run.Value : "…");

    /// <summary>
    /// <paramref name="text"/> (a hook's command or output, say) with everything shaped like a
    /// WireGuard key (44 characters of base64 ending in '=', or 64 hex digits) replaced: unlike
    /// <see cref="Quote"/> it keeps paths and words, which a log of commands needs.
    /// </summary>
    public static string WithoutKeys(string text) => KeyShaped().Replace(text, "(key hidden)");

    private static bool LooksLikeKey(string text) => KeyCharacters().Matches(text).Any(run => run.Length >= KeyLikeRun);

    [GeneratedRegex("[A-Za-z0-9+/=]{4,}")]
    private static partial Regex KeyCharacters();

    [GeneratedRegex("(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{43}=|(?<![0-9A-Fa-f])[0-9A-Fa-f]{64}(?![0-9A-Fa-f])")]
    private static partial Regex KeyShaped();
}
