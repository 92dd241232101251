using System.Globalization;
using System.Text.RegularExpressions;
using Taltun.Device;

namespace Taltun.PowerShell;

/// <summary>
/// The lines Start-TaltunTunnel -Wait writes, one per event of the tunnel's log, in plain text
/// whether they go to a terminal, a file or systemd's journal: the level in words, and no colour or
/// other escape sequence, not even one a hook's output carried.
///
///   [12:00:01] INFO Tunnel 'hub' is up: …   on a terminal, into a file or a pipe: local time first
///   &lt;6&gt;INFO Tunnel 'hub' is up: …          into the journal, which stamps each line itself and takes
///                                         the syslog priority in angle brackets off the line
///                                         (sd-daemon(3)), so journalctl -p warning finds the warnings
///
/// Stateless; thread-safe.
/// </summary>
internal static partial class JournalLine
{
    public static string Format(TunnelLogLevel level, string message, DateTimeOffset time, bool toJournal)
    {
        // Syslog priorities: 3 err, 4 warning, 6 info, 7 debug.
        (string word, int priority) = level switch
        {
            TunnelLogLevel.Verbose => ("VERBOSE", 7),
            TunnelLogLevel.Information => ("INFO", 6),
            TunnelLogLevel.Warning => ("WARNING", 4),
            _ => ("ERROR", 3),
        };
        string text = ControlCharacters().Replace(EscapeSequences().Replace(message, string.Empty), " ");
        return toJournal
            ? $"<{priority}>{word} {text}"
            : $"[{time.LocalDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}] {word} {text}";
    }

    // ECMA-48: control sequences (ESC [ … final byte), strings to the terminal (ESC ] … BEL or
    // ESC \), and two-character escapes.
    [GeneratedRegex(@"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")]
    private static partial Regex EscapeSequences();

    // Line breaks would split one event over several journal entries; the rest has no place in a log.
    [GeneratedRegex(@"[\x00-\x08\x0a-\x1f\x7f-\x9f]+")]
    private static partial Regex ControlCharacters();
}
