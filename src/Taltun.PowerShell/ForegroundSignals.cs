using System.Reflection;
using System.Runtime.InteropServices;

namespace Taltun.PowerShell;

/// <summary>
/// The signals that stop a foreground tunnel (Start-TaltunTunnel -Wait) gracefully: SIGTERM
/// (systemctl stop, kill) and SIGINT (Ctrl+C, kill -INT) alike call the given stop action instead
/// of ending the process, so the tunnel stops, its last lines are written and the cmdlet returns
/// normally. pwsh's console host answers SIGINT by stopping the whole pipeline: the cmdlet could
/// then write nothing more, not even that the tunnel stopped, and pwsh -Command would exit 1,
/// which a unit with Restart=on-failure takes for a crash. So while registered, the console host's
/// handler is taken off Console.CancelKeyPress and put back on dispose. pwsh offers no public way
/// to hand Ctrl+C to a cmdlet, so the handler is found by name; a pwsh without it keeps its own
/// Ctrl+C (the pipeline stops, and StopProcessing still stops the tunnel). SIGHUP (systemctl
/// reload) calls the reload action, and the process goes on. Registrations nest (foreground tunnels in several runspaces of one process): the first
/// takes the handler off, the last puts it back. Thread-safe.
/// </summary>
internal sealed class ForegroundSignals : IDisposable
{
    /// <summary>The name of pwsh's own host (PSHost.Name), the one whose Ctrl+C handler is set aside.</summary>
    public const string ConsoleHostName = "ConsoleHost";

    private static readonly Lock Gate = new();
    private static readonly ConsoleCancelEventHandler? ConsoleHostBreak = FindConsoleHostBreak();
    private static int s_setAside;

    private readonly Action _stop;
    private readonly Action _reload;
    private readonly PosixSignalRegistration _terminate;
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _hangUp;
    private readonly bool _holdsConsoleHostBreak;

    public ForegroundSignals(Action stop, Action reload, string hostName)
    {
        _stop = stop;
        _reload = reload;
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        _hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Reload);
        if (hostName == ConsoleHostName && ConsoleHostBreak is { } handler)
        {
            lock (Gate)
            {
                if (s_setAside++ == 0)
                {
                    Console.CancelKeyPress -= handler;
                }
            }

            _holdsConsoleHostBreak = true;
        }
    }

    public void Dispose()
    {
        _hangUp.Dispose();
        _interrupt.Dispose();
        _terminate.Dispose();
        if (_holdsConsoleHostBreak)
        {
            lock (Gate)
            {
                if (--s_setAside == 0)
                {
                    Console.CancelKeyPress += ConsoleHostBreak;
                }
            }
        }
    }

    private static ConsoleCancelEventHandler? FindConsoleHostBreak() =>
        Type.GetType("Microsoft.PowerShell.ConsoleHost, Microsoft.PowerShell.ConsoleHost")
            ?.GetMethod("MyBreakHandler", BindingFlags.NonPublic | BindingFlags.Static, [typeof(object), typeof(ConsoleCancelEventArgs)])
            ?.CreateDelegate<ConsoleCancelEventHandler>();

    private void Reload(PosixSignalContext context)
    {
        // Handled: the default action of SIGHUP would end the process.
        context.Cancel = true;
        _reload();
    }

    private void Stop(PosixSignalContext context)
    {
        // Handled: the foreground loop stops the tunnel and returns, rather than the runtime ending the process.
        context.Cancel = true;
        _stop();
    }
}
