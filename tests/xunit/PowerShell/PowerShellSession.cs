using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace Taltun.Tests.PowerShell;

/// <summary>A runspace in this process with the Taltun cmdlets imported from the built assembly.</summary>
internal sealed class PowerShellSession : IDisposable
{
    private readonly Runspace _runspace;

    public PowerShellSession()
    {
        _runspace = RunspaceFactory.CreateRunspace(State());
        _runspace.Open();
    }

    /// <summary>A session state with the Taltun cmdlets, the utility cmdlets and Taltun's views.</summary>
    public static InitialSessionState State()
    {
        InitialSessionState state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(
        [
            typeof(Taltun.PowerShell.Commands.StartTaltunTunnelCommand).Assembly.Location,
            typeof(Microsoft.PowerShell.Commands.ConvertToJsonCommand).Assembly.Location,
        ]);
        state.Formats.Add(new SessionStateFormatEntry(RepositoryFile("module/Taltun.format.ps1xml")));
        return state;
    }

    /// <summary>The warnings the last <see cref="Run"/> wrote.</summary>
    public IReadOnlyList<string> LastWarnings { get; private set; } = [];

    /// <summary>Runs a script; returns its output, throwing the first error (terminating or not) as <see cref="ScriptFailure"/>.</summary>
    public Collection<PSObject> Run(string script, IDictionary<string, object?>? variables = null)
    {
        using var shell = System.Management.Automation.PowerShell.Create(_runspace);
        foreach ((string name, object? value) in variables ?? new Dictionary<string, object?>())
        {
            _runspace.SessionStateProxy.SetVariable(name, value);
        }

        shell.AddScript(script);
        Collection<PSObject> output;
        try
        {
            output = shell.Invoke();
        }
        catch (RuntimeException e)
        {
            throw new ScriptFailure(e.ErrorRecord);
        }

        LastWarnings = [.. shell.Streams.Warning.Select(w => w.Message)];
        if (shell.Streams.Error.Count > 0)
        {
            throw new ScriptFailure(shell.Streams.Error[0]);
        }

        return output;
    }

    private static string RepositoryFile(string relative)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}.");
    }

    public void Dispose()
    {
        using var shell = System.Management.Automation.PowerShell.Create(_runspace);
        shell.AddScript("Stop-TaltunTunnel -All").Invoke();
        _runspace.Dispose();
    }
}

/// <summary>The ErrorRecord a script produced, for asserting ErrorId, category and message.</summary>
internal sealed class ScriptFailure(ErrorRecord record) : Exception(record.ToString())
{
    public ErrorRecord Record { get; } = record;

    /// <summary>The ErrorId without the ",Command" suffix PowerShell appends.</summary>
    public string ErrorId => Record.FullyQualifiedErrorId.Split(',')[0];
}
