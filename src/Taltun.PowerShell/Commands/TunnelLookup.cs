using System.Management.Automation;

namespace Taltun.PowerShell.Commands;

/// <summary>Finds a running tunnel for a cmdlet, or ends the cmdlet with TunnelNotFound.</summary>
internal static class TunnelLookup
{
    public static RegisteredTunnel Require(PSCmdlet cmdlet, string name)
    {
        if (!TunnelRegistry.TryGet(name, out RegisteredTunnel tunnel))
        {
            cmdlet.ThrowTerminatingError(Errors.TunnelNotFound(name));
        }

        return tunnel;
    }
}
