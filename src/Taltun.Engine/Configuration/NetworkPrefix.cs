using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Taltun.Configuration;

/// <summary>
/// Parses a network in CIDR form strictly: "192.168.50.1/24" is refused (as ip route refuses
/// it) rather than silently widened, because a typo there would route traffic elsewhere.
/// </summary>
internal static class NetworkPrefix
{
    /// <summary>The network, or null with <paramref name="problem"/> saying what is wrong and what was probably meant.</summary>
    public static IPNetwork? Parse(string text, out string problem)
    {
        string trimmed = text.Trim();
        int slash = trimmed.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(trimmed[..slash], out IPAddress? written))
        {
            problem = $"{MessageText.Quote(text)} is not a network in CIDR form (e.g. 192.168.50.0/24).";
            return null;
        }

        if (LengthProblem(trimmed[(slash + 1)..], written.AddressFamily, out int length) is { } wrongLength)
        {
            problem = wrongLength;
            return null;
        }

        var prefix = new IPNetwork(new InterfaceAddress(written, length).Network.BaseAddress, length);
        if (!written.Equals(prefix.BaseAddress))
        {
            problem = $"{MessageText.Quote(text)} has host bits set; did you mean \"{prefix}\"?";
            return null;
        }

        problem = string.Empty;
        return prefix;
    }

    /// <summary>Null if <paramref name="text"/> is a prefix length for <paramref name="family"/>; else what is wrong, with the range.</summary>
    public static string? LengthProblem(string text, AddressFamily family, out int length)
    {
        int max = family == AddressFamily.InterNetwork ? 32 : 128;
        string range = $"use 0 to {max} for {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")}.";
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out length))
        {
            return $"prefix length {MessageText.Quote(text)} is not a number: {range}";
        }

        return length > max ? $"prefix length {length} is out of range: {range}" : null;
    }
}
