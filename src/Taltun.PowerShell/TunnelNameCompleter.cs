using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Taltun.Control;
using Taltun.PowerShell.Commands;

namespace Taltun.PowerShell;

/// <summary>Tab-completes the names of the tunnels running on this host: this process's and those other processes serve.</summary>
public sealed class TunnelNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string prefix = wordToComplete.Trim('\'', '"');
        foreach (string name in TunnelLookup.Names())
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                string tooltip = TunnelRegistry.TryGet(name, out RegisteredTunnel local)
                    ? $"{local.Configuration.Mode} tunnel {name}"
                    : $"Tunnel {name} of another process ({ControlOptions.DefaultDirectory}/{name}.sock)";
                yield return new CompletionResult(name, name, CompletionResultType.ParameterValue, tooltip);
            }
        }
    }
}
