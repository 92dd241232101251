using System.Text.RegularExpressions;

namespace Taltun.Configuration;

/// <summary>
/// The ranges a configuration must respect, in one place: the options' validation, the TOML
/// reader's errors and the cmdlets' parameter attributes all use these constants, so a limit
/// never differs between a file and a parameter.
/// </summary>
public static partial class Limits
{
    /// <summary>IPv6's minimum link MTU (RFC 8200): a smaller tunnel could not carry IPv6 at all.</summary>
    public const int MinMtu = 1280;

    /// <summary>Jumbo frames; the data plane's packet slots are sized so a full packet of this MTU fits with its overhead.</summary>
    public const int MaxMtu = 9000;

    /// <summary>
    /// Interface names Taltun accepts: at most 15 characters (IFNAMSIZ without its NUL) of what the
    /// kernel accepts, minus '/', ':' and white space, which confuse tools.
    /// </summary>
    public const string InterfaceNamePattern = "^[A-Za-z0-9_.-]{1,15}$";

    public static bool IsInterfaceName(string? name) => name is not null && InterfaceNameRegex().IsMatch(name);

    /// <summary>The largest UDP port.</summary>
    public const int MaxPort = 65535;

    /// <summary>Persistent keepalive is a 16-bit number of seconds in WireGuard's configuration; 0 is off.</summary>
    public const int MaxPersistentKeepalive = 65535;

    [GeneratedRegex(InterfaceNamePattern)]
    private static partial Regex InterfaceNameRegex();
}
