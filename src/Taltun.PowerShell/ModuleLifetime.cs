using System.Management.Automation;

namespace Taltun.PowerShell;

/// <summary>
/// Stops every tunnel when the module is removed or the process exits, so an interface, its
/// routes and addresses never outlive the PowerShell session that made them.
/// </summary>
public sealed class ModuleLifetime : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static int _exitHookInstalled;

    public void OnImport()
    {
        if (Interlocked.Exchange(ref _exitHookInstalled, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => TunnelRegistry.StopAll();
        }
    }

    public void OnRemove(PSModuleInfo psModuleInfo) => TunnelRegistry.StopAll();
}
