using Taltun.Device;
using Taltun.PowerShell;

namespace Taltun.Tests.PowerShell;

/// <summary>The foreground log's lines: one per event, its level in words, nothing a terminal would interpret.</summary>
public sealed class JournalLineTests
{
    private static readonly DateTimeOffset Noon = new(2025, 6, 1, 12, 0, 1, TimeSpan.Zero);

    [Fact]
    public void ATerminalOrFileLineStartsWithTheLocalTimeAndTheLevel()
    {
        string time = Noon.LocalDateTime.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal($"[{time}] INFO Tunnel 'hub' is up", JournalLine.Format(TunnelLogLevel.Information, "Tunnel 'hub' is up", Noon, toJournal: false));
        Assert.Equal($"[{time}] WARNING w", JournalLine.Format(TunnelLogLevel.Warning, "w", Noon, toJournal: false));
    }

    [Theory]
    [InlineData(TunnelLogLevel.Verbose, "<7>VERBOSE m")]
    [InlineData(TunnelLogLevel.Information, "<6>INFO m")]
    [InlineData(TunnelLogLevel.Warning, "<4>WARNING m")]
    [InlineData(TunnelLogLevel.Error, "<3>ERROR m")]
    public void AJournalLineCarriesItsSyslogPriorityAndNoTime(TunnelLogLevel level, string line)
    {
        Assert.Equal(line, JournalLine.Format(level, "m", Noon, toJournal: true));
    }

    [Theory]
    [InlineData("\u001b[31;1mred\u001b[0m and plain", "red and plain")]
    [InlineData("\u001b]0;title\u0007text", "text")]
    [InlineData("first\nsecond\r\nthird", "first second third")]
    [InlineData("bell\u0007 and\u0000nul", "bell  and nul")]
    public void EscapeSequencesGoAndLineBreaksBecomeSpaces(string message, string text)
    {
        string line = JournalLine.Format(TunnelLogLevel.Information, message, Noon, toJournal: true);

        Assert.Equal("<6>INFO " + text, line);
        Assert.DoesNotContain('\u001b', line);
    }
}
