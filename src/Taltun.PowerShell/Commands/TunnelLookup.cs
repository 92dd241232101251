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
    public static List<ITunnelOperations> Matching(PSCmdlet cmdlet, IReadOnlyList<string>? names)
    {
        var patterns = (names ?? ["*"]).Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
        var matched = Names().Where(n => patterns.Any(p => p.IsMatch(n))).ToList();
        foreach (string name in names ?? [])
        {
            if (!WildcardPattern.ContainsWildcardCharacters(name) && !matched.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                cmdlet.WriteError(Errors.TunnelNotFound(name));
            }
        }

        return [.. matched.Select(n => Find(n)).OfType<ITunnelOperations>()];
    }

    /// <summary>The names of this process's tunnels and of every socket in the control directory, in order, each once.</summary>
    public static IReadOnlyList<string> Names() =>
        [.. new SortedSet<string>(TunnelRegistry.All.Select(t => t.Name).Concat(ControlClient.ServedNames(ControlOptions.DefaultDirectory)), StringComparer.Ordinal)];

    /// <summary>
    /// Runs an operation on a tunnel; a refusal (of the engine here, or of the other process) is
    /// written as the cmdlet's error of its kind, and false returned.
    /// </summary>
    public static bool TryRun<T>(PSCmdlet cmdlet, ITunnelOperations tunnel, Func<T> operation, [MaybeNullWhen(false)] out T result)
    {
        try
        {
            result = operation();
            return true;
        }
        catch (Exception e) when (e is ConfigurationException or Foundation.TunnelException or Crypto.KeyFormatException or SafeFileException)
        {
            cmdlet.WriteError(Errors.Of(e, tunnel.Name));
            result = default;
            return false;
        }
    }
}
