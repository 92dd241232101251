using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Taltun.PowerShell;

/// <summary>Tab-completes the names of the tunnels running in this PowerShell process.</summary>
public sealed class TunnelNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string prefix = wordToComplete.Trim('\'', '"');
        foreach (RegisteredTunnel tunnel in TunnelRegistry.All)
        {
            if (tunnel.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                yield return new CompletionResult(tunnel.Name, tunnel.Name, CompletionResultType.ParameterValue, $"{tunnel.Configuration.Mode} tunnel {tunnel.Name}");
            }
        }
    }
}
