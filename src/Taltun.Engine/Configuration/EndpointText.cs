using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Taltun.Configuration;

/// <summary>
/// Endpoints as written: "host:port", the host an IPv4 address, an IPv6 address in brackets
/// ("[fd00::1]:9000") or, for a peer, a DNS name. An IPv6 address without brackets is refused
/// rather than guessed at: "::1:9100" is itself a valid address. Problems say the allowed form
/// or range. Stateless; thread-safe.
/// </summary>
internal static class EndpointText
{
    /// <summary>Where to listen: an IP address of this host (0.0.0.0 or [::] for all) and a port (0 lets the kernel choose); null with <paramref name="problem"/> otherwise.</summary>
    public static IPEndPoint? ParseListen(string text, out string problem)
    {
        if (Split(text, 0, out string host, out int port) is { } wrong)
        {
            problem = wrong;
            return null;
        }

        if (!IPAddress.TryParse(host, out IPAddress? address))
        {
            problem = $"{MessageText.Quote(host)} is not an IP address: listen on 0.0.0.0 (every address), [::] or one of this host's addresses, e.g. 0.0.0.0:9000.";
            return null;
        }

        problem = string.Empty;
        return new IPEndPoint(address, port);
    }

    /// <summary>Splits a peer's "host:port" (brackets around an IPv6 host removed); false with <paramref name="problem"/> if it is not one.</summary>
    public static bool TrySplit(string text, out string host, out int port, out string problem)
    {
        problem = Split(text, 1, out host, out port) ?? string.Empty;
        return problem.Length == 0;
    }

    private static string? Split(string text, int minPort, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        string trimmed = text.Trim();
        string portText;
        if (trimmed.StartsWith('['))
        {
            int close = trimmed.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                return $"{MessageText.Quote(text)} has no port: write [address]:port, e.g. [fd00::1]:9000.";
            }

            host = trimmed[1..close];
            portText = trimmed[(close + 2)..];
            if (!IPAddress.TryParse(host, out IPAddress? inBrackets) || inBrackets.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return $"{MessageText.Quote(host)} in brackets is not an IPv6 address.";
            }
        }
        else
        {
            int colon = trimmed.LastIndexOf(':');
            if (colon < 0)
            {
                return minPort == 0
                    ? $"{MessageText.Quote(text)} has no port: write address:port, e.g. 0.0.0.0:9000."
                    : $"{MessageText.Quote(text)} has no port: write host:port, e.g. 203.0.113.7:9000.";
            }

            if (trimmed.IndexOf(':') != colon)
            {
                return IPAddress.TryParse(trimmed[..colon], out _)
                    ? $"{MessageText.Quote(text)} is an IPv6 address and port without brackets; write [{trimmed[..colon]}]:{trimmed[(colon + 1)..]}."
                    : $"{MessageText.Quote(text)} is not host:port; an IPv6 address goes in brackets, e.g. [fd00::1]:9000.";
            }

            host = trimmed[..colon];
            portText = trimmed[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            return $"{MessageText.Quote(text)} has no host before the port.";
        }

        if (host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return $"{MessageText.Quote(text)} has white space or a control character in its host; a host is an IP address or a DNS name.";
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port))
        {
            return $"port {MessageText.Quote(portText)} is not a number: use {minPort} to {Limits.MaxPort}.";
        }

        return port < minPort || port > Limits.MaxPort ? $"port {port} is out of range: use {minPort} to {Limits.MaxPort}." : null;
    }
}
