namespace Taltun.Configuration;

/// <summary>A peer endpoint as written: "host:port", the host an IP address, [IPv6] or a DNS name.</summary>
internal static class EndpointText
{
    /// <summary>Splits "host:port" (brackets around an IPv6 host removed); false if there is no port 1-65535.</summary>
    public static bool TrySplit(string text, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out port) || port is < 1 or > Limits.MaxPort)
        {
            return false;
        }

        host = text[..colon].Trim('[', ']');
        return true;
    }
}
