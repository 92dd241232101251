namespace Taltun.Tests.Configuration;

/// <summary>
/// Which parts of a key a message gives away: every 4-character piece of the key's text that the
/// message contains. A piece the message also contains when it is about another key (a word of
/// the message, a line number that happens to occur in the key) is the message's own text, not
/// a leak, so each check compares the message with a control: the same mistake with another key.
/// </summary>
internal static class KeyLeaks
{
    public const int PieceLength = 4;

    /// <summary>The pieces of <paramref name="key"/> found in <paramref name="message"/> but not in <paramref name="control"/>.</summary>
    public static IReadOnlyList<string> Find(string key, string message, string control) =>
        [.. Enumerable.Range(0, Math.Max(0, key.Length - PieceLength + 1))
            .Select(i => key.Substring(i, PieceLength))
            .Where(piece => message.Contains(piece, StringComparison.Ordinal) && !control.Contains(piece, StringComparison.Ordinal))
            .Distinct()];

    /// <summary>Asserts that the message <paramref name="messageFor"/> makes for a fresh key gives none of it away.</summary>
    public static void AssertNone(Func<string, string> messageFor, Func<string> newKeyText)
    {
        string key = newKeyText();
        string message = messageFor(key);
        string control = messageFor(newKeyText());
        IReadOnlyList<string> leaked = Find(key, message, control);
        Assert.True(leaked.Count == 0, $"The message gives away {string.Join(", ", leaked)} of the key: {message}");
    }
}
