namespace Taltun.Crypto;

/// <summary>
/// Parses and prints 32-byte keys. Base64 is the printed form (what WireGuard tools print and
/// accept); 64 hex digits are accepted too, as <c>openssl rand -hex 32</c>
/// prints them, a common way to make keys.
/// </summary>
public static class KeyText
{
    public const int Base64Length = 44;
    public const int HexLength = 64;

    /// <summary>Decodes <paramref name="text"/> into <paramref name="key"/> or throws <see cref="KeyFormatException"/>.</summary>
    public static void Parse(ReadOnlySpan<char> text, Span<byte> key)
    {
        if (!TryParse(text, key, out string? reason))
        {
            throw new KeyFormatException(reason);
        }
    }

    /// <summary>Decodes a key; on failure <paramref name="reason"/> says why without quoting the text.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, Span<byte> key, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? reason)
    {
        if (key.Length != Key32.Size)
        {
            throw new ArgumentException("Key buffers are 32 bytes.", nameof(key));
        }

        text = text.Trim();
        if (text.Length == HexLength)
        {
            if (Convert.FromHexString(text, key, out _, out int written) == System.Buffers.OperationStatus.Done && written == Key32.Size)
            {
                reason = null;
                return true;
            }

            reason = "The key has 64 characters but they are not all hex digits (0-9, a-f).";
            return false;
        }

        if (text.Length == Base64Length)
        {
            if (Convert.TryFromBase64Chars(text, key, out int written) && written == Key32.Size && text[^1] == '=' && text[^2] != '=')
            {
                reason = null;
                return true;
            }

            key.Clear();
            reason = "The key has 44 characters but is not valid base64 for 32 bytes.";
            return false;
        }

        reason = text.Length == 0 ? "The key is empty." : $"The key has {text.Length} characters.";
        return false;
    }

    /// <summary>Prints a key as base64, the form WireGuard's tools use.</summary>
    public static string ToBase64(ReadOnlySpan<byte> key) => Convert.ToBase64String(key);

    /// <summary>Prints a key as lowercase hex, the form WireGuard's userspace API uses.</summary>
    public static string ToHex(ReadOnlySpan<byte> key) => Convert.ToHexStringLower(key);
}
