using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Taltun.Configuration;
using Taltun.PowerShell.Commands;

namespace Taltun.PowerShell;

/// <summary>
/// Tab-completes peers' public keys: those of the tunnels already named on the command line
/// (-Name or its alias -Tunnel, wildcards allowed), else of every tunnel of the host. Each key is
/// offered quoted (base64 has '+', '/' and '='), with the peer's addresses and tunnel as tooltip.
/// </summary>
public sealed class PeerKeyCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string prefix = wordToComplete.Trim('\'', '"');
        List<WildcardPattern> tunnels = [.. Names(fakeBoundParameters).Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase))];
        foreach (string name in TunnelLookup.Names().Where(n => tunnels.Count == 0 || tunnels.Any(p => p.IsMatch(n))))
        {
            if (Configuration(name) is not { } config)
            {
                continue;
            }

            foreach (PeerConfiguration peer in config.Peers)
            {
                string key = peer.PublicKey.ToBase64();
                if (key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    string addresses = string.Join(", ", config.AllowedIpsOf(peer));
                    yield return new CompletionResult($"'{key}'", key, CompletionResultType.ParameterValue, $"{addresses} on {name}");
                }
            }
        }
    }

    /// <summary>The tunnel's configuration without keys; null if it cannot be had (another process's socket that does not answer).</summary>
    private static TunnelConfiguration? Configuration(string name)
    {
        try
        {
            // Completion must not hang on a process that does not answer (stopped, say).
            return TunnelLookup.Find(name, TimeSpan.FromSeconds(2))?.Configuration(secrets: false);
        }
        catch (Foundation.TunnelException)
        {
            return null;
        }
    }

    /// <summary>The tunnel names bound so far, under the parameter's name or its alias.</summary>
    private static IEnumerable<string> Names(IDictionary bound)
    {
        foreach (string parameter in (string[])["Name", "Tunnel"])
        {
            switch (bound.Contains(parameter) ? bound[parameter] : null)
            {
                case string name:
                    yield return name;
                    break;
                case IEnumerable names:
                    foreach (object? name in names)
                    {
                        if (name?.ToString() is { Length: > 0 } text)
                        {
                            yield return text;
                        }
                    }

                    break;
            }
        }
    }
}
