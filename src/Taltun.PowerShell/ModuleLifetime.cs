using System.Management.Automation;
using System.Runtime.InteropServices;

namespace Taltun.PowerShell;

/// <summary>
/// Refuses to load where the module cannot run (another system, another processor than its
/// native library's), with a message that says so; stops every tunnel when the module is removed
/// or the process exits, so an interface, its routes and addresses never outlive the PowerShell
/// session that made them.
/// </summary>
public sealed class ModuleLifetime : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static int _exitHookInstalled;

    public void OnImport()
    {
        string directory = Path.GetDirectoryName(typeof(ModuleLifetime).Assembly.Location)!;
        if (ModulePlatform.Problem(directory, OperatingSystem.IsLinux(), RuntimeInformation.ProcessArchitecture) is { } problem)
        {
            throw new PlatformNotSupportedException(problem);
        }

        if (Interlocked.Exchange(ref _exitHookInstalled, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => TunnelRegistry.StopAll();
        }
    }

    public void OnRemove(PSModuleInfo psModuleInfo) => TunnelRegistry.StopAll();
}
