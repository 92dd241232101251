using System.Diagnostics.CodeAnalysis;
using System.Management.Automation;
using Taltun.Configuration;
using Taltun.Control;

namespace Taltun.PowerShell.Commands;

/// <summary>
/// Finds running tunnels for the cmdlets: this process's own, whose engine is called directly, and
/// those other processes serve on their control sockets in /var/run/wireguard, reached over the
/// socket. Both answer as <see cref="ITunnelOperations"/>, so a cmdlet cannot tell them apart.
/// </summary>
internal static class TunnelLookup
{
    /// <summary>The tunnel named <paramref name="name"/>, or the cmdlet ends with TunnelNotFound.</summary>
    public static ITunnelOperations Require(PSCmdlet cmdlet, string name)
    {
        if (Find(name) is not { } tunnel)
        {
            cmdlet.ThrowTerminatingError(Errors.TunnelNotFound(name));
            return null!;
        }

        return tunnel;
    }

    /// <summary>This process's tunnel of that name, else another process's socket of that name (which may turn out dead, or not Taltun's, when asked; <paramref name="timeout"/> bounds each answer), else null.</summary>
    public static ITunnelOperations? Find(string name, TimeSpan? timeout = null) =>
        TunnelRegistry.TryGet(name, out RegisteredTunnel local) ? local.Control : ControlClient.Of(name, ControlOptions.DefaultDirectory, timeout);

    /// <summary>
    /// Every tunnel the names match (wildcards allowed; all without names): this process's, and
    /// those served by sockets in the control directory. A name without wildcards that matches
    /// nothing is written as TunnelNotFound.
    /// </summary>
    public static List<ListedTunnel> Matching(PSCmdlet cmdlet, IReadOnlyList<string>? names)
    {
        var patterns = (names ?? ["*"]).Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
        var matched = Names().Where(n => patterns.Any(p => p.IsMatch(n))).ToList();
        var named = (names ?? []).Where(n => !WildcardPattern.ContainsWildcardCharacters(n)).ToList();
        foreach (string name in named.Where(n => !matched.Contains(n, StringComparer.OrdinalIgnoreCase)))
        {
            cmdlet.WriteError(Errors.TunnelNotFound(name));
        }

        return [.. matched.Select(n => (Tunnel: Find(n), Named: named.Contains(n, StringComparer.OrdinalIgnoreCase)))
            .Where(t => t.Tunnel is not null)
            .Select(t => new ListedTunnel(t.Tunnel!, t.Named))];
    }

    /// <summary>The names of this process's tunnels and of every socket in the control directory, in order, each once.</summary>
    public static IReadOnlyList<string> Names() =>
        [.. new SortedSet<string>(TunnelRegistry.All.Select(t => t.Name).Concat(ControlClient.ServedNames(ControlOptions.DefaultDirectory)), StringComparer.Ordinal)];

    /// <summary>
    /// Runs an operation on a listed tunnel as the overload below does, except that a socket
    /// found by a wildcard that turns out dead or not Taltun's (wireguard-go's) is passed over in
    /// silence, as wg show passes over what it cannot read; named, it is an error.
    /// </summary>
    public static bool TryRun<T>(PSCmdlet cmdlet, ListedTunnel listed, Func<ITunnelOperations, T> operation, [MaybeNullWhen(false)] out T result) =>
        TryRun(cmdlet, listed.Tunnel, () => operation(listed.Tunnel), out result, quietIfUnavailable: !listed.Named);

    /// <summary>
    /// Runs an operation on a tunnel; a refusal (of the engine here, or of the other process) is
    /// written as the cmdlet's error of its kind, and false returned.
    /// </summary>
    public static bool TryRun<T>(PSCmdlet cmdlet, ITunnelOperations tunnel, Func<T> operation, [MaybeNullWhen(false)] out T result, bool quietIfUnavailable = false)
    {
        try
        {
            result = operation();
            return true;
        }
        catch (Foundation.TunnelException e) when (quietIfUnavailable && e.Error == Foundation.TunnelError.ControlUnavailable)
        {
            result = default;
            return false;
        }
        catch (Exception e) when (Refusal.Is(e))
        {
            cmdlet.WriteError(Errors.Of(e, tunnel.Name));
            result = default;
            return false;
        }
    }
}

/// <summary>A tunnel a cmdlet's names matched, and whether it was named outright (not found by a wildcard).</summary>
internal sealed record ListedTunnel(ITunnelOperations Tunnel, bool Named);
