namespace Taltun.Configuration;

/// <summary>When a hook runs, as wg-quick names the moments.</summary>
public enum HookPhase
{
    /// <summary>Before the interface is created; a failure aborts the start.</summary>
    PreUp,

    /// <summary>Once the tunnel is up (addresses, routes, DNS, peers); a failure aborts the start and undoes it.</summary>
    PostUp,

    /// <summary>Before the tunnel is taken down; a failure is reported and the stop goes on.</summary>
    PreDown,

    /// <summary>After the interface, its routes and DNS are gone; a failure is reported.</summary>
    PostDown,
}

/// <summary>
/// A command run at <see cref="Phase"/>, as wg-quick's PreUp/PostUp/PreDown/PostDown lines are:
/// by bash, with every %i replaced by the interface name. <see cref="Line"/> is where a file
/// defined it (0 otherwise), for errors found later. Immutable.
/// </summary>
public sealed record HookCommand(HookPhase Phase, string Command)
{
    public int Line { get; init; }

    /// <summary>The command with %i replaced by <paramref name="interfaceName"/>, as wg-quick runs it.</summary>
    public string For(string interfaceName) => Command.Replace("%i", interfaceName, StringComparison.Ordinal);
}

/// <summary>Where routes go: wg-quick's Table setting. Taltun routes into the main table or not at all.</summary>
public enum RouteTable
{
    /// <summary>Routes for the configured routes and every peer's allowed IPs (the default).</summary>
    Auto,

    /// <summary>No routes beyond the one the kernel adds for each address's subnet: the user routes (in PostUp, say).</summary>
    Off,
}
