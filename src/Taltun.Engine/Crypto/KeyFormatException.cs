namespace Taltun.Crypto;

/// <summary>
/// A key's text is not 64 hex digits or 44 base64 characters. The message never contains the
/// text itself: it may be a private key with one character wrong.
/// </summary>
public sealed class KeyFormatException : FormatException
{
    public KeyFormatException(string reason, string? parameter = null)
        : base($"{reason} A key is 32 bytes written as 44 base64 characters (what 'wg genkey' prints) or as 64 hex digits (what 'openssl rand -hex 32' prints).")
    {
        Reason = reason;
        Parameter = parameter;
    }

    /// <summary>What was wrong, without the key: e.g. "The key has 43 characters.".</summary>
    public string Reason { get; }

    /// <summary>The parameter that held the key (e.g. "PresharedKey"), when it came from one; null otherwise.</summary>
    public string? Parameter { get; }
}
