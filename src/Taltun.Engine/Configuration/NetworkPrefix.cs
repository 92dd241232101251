using System.Net;

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
        problem = string.Empty;
        string trimmed = text.Trim();
        int slash = trimmed.IndexOf('/');
        if (slash < 0 || !IPNetwork.TryParse(trimmed, out IPNetwork prefix))
        {
            problem = $"'{text}' is not a network in CIDR form (e.g. \"192.168.50.0/24\").";
            return null;
        }

        if (!IPAddress.TryParse(trimmed[..slash], out IPAddress? written) || !written.Equals(prefix.BaseAddress))
        {
            problem = $"'{text}' has host bits set; did you mean \"{prefix}\"?";
            return null;
        }

        return prefix;
    }
}
