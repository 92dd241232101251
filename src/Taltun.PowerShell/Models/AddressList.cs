using System.Collections.ObjectModel;

namespace Taltun.PowerShell;

/// <summary>
/// Addresses or prefixes in a status object: a list to PowerShell (it enumerates, indexes, and
/// -contains and ConvertTo-Json see its items), and one readable line as text, so Export-Csv
/// writes "10.0.0.2/32, 192.168.1.0/24" rather than System.String[]. Immutable.
/// </summary>
public sealed class AddressList(IList<string> items) : ReadOnlyCollection<string>(items)
{
    public override string ToString() => string.Join(", ", this);
}

/// <summary>Dropped packets by reason: a dictionary to PowerShell, and "BadTag=3, ReplayedCounter=1" as text (Export-Csv). Immutable.</summary>
public sealed class DropCounts(IDictionary<string, long> counts) : ReadOnlyDictionary<string, long>(counts)
{
    public override string ToString() => string.Join(", ", this.Select(d => $"{d.Key}={d.Value}"));
}
