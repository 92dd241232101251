using System.Net;
using System.Text.RegularExpressions;

namespace Taltun.Configuration;

/// <summary>
/// The name servers and search domains a tunnel gives its host while it runs, written as
/// wg-quick's DNS line and Taltun's dns list write them: one list in which an IP address is a
/// server and anything else a search domain. Immutable.
/// </summary>
public sealed partial record DnsSettings
{
    public IReadOnlyList<IPAddress> Servers { get; init; } = [];

    public IReadOnlyList<string> SearchDomains { get; init; } = [];

    /// <summary>The entries as a configuration lists them: servers first, then search domains.</summary>
    public IEnumerable<string> Entries => Servers.Select(s => s.ToString()).Concat(SearchDomains);

    /// <summary>
    /// The settings of <paramref name="entries"/> added to <paramref name="earlier"/> (DNS may be
    /// given on several lines); null with <paramref name="problem"/> for an entry that is neither
    /// an IP address nor a domain name, or a list with search domains and no server.
    /// </summary>
    public static DnsSettings? Parse(IEnumerable<string> entries, DnsSettings? earlier, out string problem)
    {
        var servers = new List<IPAddress>(earlier?.Servers ?? []);
        var domains = new List<string>(earlier?.SearchDomains ?? []);
        foreach (string entry in entries)
        {
            string text = entry.Trim();
            if (text.Length == 0)
            {
                continue;
            }

            if (IPAddress.TryParse(text, out IPAddress? server) && !text.Contains('%'))
            {
                servers.Add(server);
            }
            else if (DomainName().IsMatch(text) && text.Length <= 253)
            {
                domains.Add(text.TrimEnd('.'));
            }
            else
            {
                problem = $"{MessageText.Quote(text)} is neither an IP address (a name server, e.g. 10.0.0.1) nor a domain name (a search domain, e.g. corp.example).";
                return null;
            }
        }

        problem = string.Empty;
        return new DnsSettings { Servers = servers, SearchDomains = domains };
    }

    /// <summary>Null if these settings can be applied; else why not (search domains need a server to ask).</summary>
    public string? Problem() => Servers.Count == 0 && SearchDomains.Count > 0
        ? "search domains without a name server: add the server to ask, e.g. 10.0.0.1, before the domains."
        : null;

    /// <summary>resolv.conf lines: one nameserver line per server, one search line.</summary>
    public string ToResolvConf()
    {
        var text = new System.Text.StringBuilder();
        foreach (IPAddress server in Servers)
        {
            text.Append("nameserver ").Append(server).Append('\n');
        }

        if (SearchDomains.Count > 0)
        {
            text.Append("search ").Append(string.Join(' ', SearchDomains)).Append('\n');
        }

        return text.ToString();
    }

    public bool Equals(DnsSettings? other) =>
        other is not null && Servers.SequenceEqual(other.Servers) && SearchDomains.SequenceEqual(other.SearchDomains, StringComparer.OrdinalIgnoreCase);

    public override int GetHashCode() => HashCode.Combine(Servers.Count, SearchDomains.Count);

    /// <summary>Host names as resolv.conf takes them: labels of letters, digits and inner hyphens, dot-separated, an optional final dot.</summary>
    [GeneratedRegex(@"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$")]
    private static partial Regex DomainName();
}
