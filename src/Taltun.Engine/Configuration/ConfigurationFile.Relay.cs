using System.Net;
using Taltun.Routing;
using Tomlyn.Syntax;

namespace Taltun.Configuration;

/// <summary>Reading a hub's relay policy: [interface] relay and its [[relay_rules]].</summary>
public static partial class ConfigurationFile
{
    private static readonly string[] RelayRuleKeys = ["source", "destination", "protocol", "ports"];

    private sealed partial class Reader
    {
        public RelayMode RelayModeOf(KeyValueSyntax item, string key) => String(item, key).ToLowerInvariant() switch
        {
            "all" => RelayMode.All,
            "none" => RelayMode.None,
            "rules" => RelayMode.Rules,
            _ => throw Error(item, key, "must be \"all\" (peers reach each other through the hub), \"none\" (peers reach only the hub) or \"rules\" (what [[relay_rules]] allow)."),
        };

        public RelayRule ReadRelayRule(TableSyntaxBase table, int number)
        {
            var seen = new HashSet<string>();
            IReadOnlyList<IPNetwork>? sources = null;
            IReadOnlyList<IPNetwork>? destinations = null;
            RelayProtocol protocol = RelayProtocol.Any;
            KeyValueSyntax? portsItem = null;
            var ports = new List<PortRange>();
            foreach (KeyValueSyntax item in table.Items)
            {
                string key = Known(item, "relay_rules", RelayRuleKeys, seen);
                string name = $"relay_rules[{number}].{key}";
                switch (key)
                {
                    case "source":
                        sources = [.. StringOrList(item, name).Select(p => Prefix(item, name, p))];
                        break;
                    case "destination":
                        destinations = [.. StringOrList(item, name).Select(p => Prefix(item, name, p))];
                        break;
                    case "protocol":
                        protocol = String(item, name).ToLowerInvariant() switch
                        {
                            "any" => RelayProtocol.Any,
                            "tcp" => RelayProtocol.Tcp,
                            "udp" => RelayProtocol.Udp,
                            "icmp" => RelayProtocol.Icmp,
                            "icmpv6" => RelayProtocol.IcmpV6,
                            _ => throw Error(item, name, "must be \"any\", \"tcp\", \"udp\", \"icmp\" or \"icmpv6\"."),
                        };
                        break;
                    case "ports":
                        portsItem = item;
                        ports.AddRange(PortTexts(item, name).Select(p => PortRangeOf(item, name, p)));
                        break;
                }
            }

            int line = table.Span.Start.Line + 1;
            if (sources is null || destinations is null)
            {
                throw new ConfigurationException(path, line, $"relay_rules[{number}]", "needs source and destination prefixes, e.g. source = \"10.0.0.0/24\", destination = \"10.0.0.10/32\".");
            }

            if (portsItem is not null && protocol is not (RelayProtocol.Tcp or RelayProtocol.Udp))
            {
                throw Error(portsItem, $"relay_rules[{number}].ports", "ports need protocol = \"tcp\" or \"udp\".");
            }

            return new RelayRule(sources, destinations, protocol, ports);
        }

        /// <summary>ports = 22, "22", or a list of numbers and "first-last" ranges.</summary>
        private List<string> PortTexts(KeyValueSyntax item, string key)
        {
            IEnumerable<SyntaxNode?> values = item.Value is ArraySyntax array ? array.Items.Select(i => (SyntaxNode?)i.Value) : [item.Value];
            return [.. values.Select(value => value switch
            {
                IntegerValueSyntax number => number.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                StringValueSyntax { Value: { } text } => text,
                _ => throw Error(item, key, "must be a port, a \"first-last\" range, or a list of them, e.g. [22, \"8000-8080\"]."),
            })];
        }

        private PortRange PortRangeOf(KeyValueSyntax item, string key, string text)
        {
            string[] parts = text.Split('-', StringSplitOptions.TrimEntries);
            if (parts.Length is 1 or 2 && ushort.TryParse(parts[0], out ushort first) && first > 0)
            {
                ushort last = first;
                if (parts.Length == 1 || (ushort.TryParse(parts[1], out last) && last >= first))
                {
                    return new PortRange(first, last);
                }
            }

            throw Error(item, key, $"{MessageText.Quote(text)} is not a port (1 to {Limits.MaxPort}) or a range such as \"8000-8080\".");
        }
    }
}
