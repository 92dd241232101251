using System.Diagnostics;
using Taltun.Configuration;
using Taltun.Foundation;

namespace Taltun.Device;

/// <summary>
/// Runs a tunnel's hooks, as wg-quick runs PreUp, PostUp, PreDown and PostDown: each command by
/// bash with %i replaced by the interface name, one after another in the order written, a phase
/// ending at its first failure. They run in the tunnel's network namespace. The command and its
/// output go to the tunnel's log line by line (standard output as information, standard error as
/// warnings), with anything shaped like a key hidden. A hook fails if it cannot start, exits
/// non-zero, or runs past its time (<see cref="DefaultTimeout"/>; it is then killed, with its children).
/// Thread-safe: runs share nothing.
/// </summary>
internal sealed class HookRunner(IReadOnlyList<HookCommand> hooks, string interfaceName, string? networkNamespace, TunnelLog log, TimeSpan? timeout = null)
{
    /// <summary>Longer than any sensible firewall or routing script; a hook that hangs must not hang the start or the stop forever.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly TimeSpan _timeout = timeout ?? DefaultTimeout;

    private const string Shell = "/bin/bash";

    /// <summary>Runs the hooks of <paramref name="phase"/>; returns why the first failing one failed, or null if all succeeded.</summary>
    public string? Run(HookPhase phase)
    {
        foreach (HookCommand hook in hooks.Where(h => h.Phase == phase))
        {
            string command = hook.For(interfaceName);
            string? failure = networkNamespace is null
                ? RunOne(phase, command)
                : NetworkNamespaceThread.Run(networkNamespace, () => RunOne(phase, command));
            if (failure is not null)
            {
                string message = $"{phase} hook failed: {failure} ({MessageText.WithoutKeys(command)})";
                log.Error(message);
                return message;
            }
        }

        return null;
    }

    /// <summary>Runs the hooks of <paramref name="phase"/>, throwing <see cref="TunnelException"/> (HookFailed) at the first failure: for PreUp and PostUp, which abort a start.</summary>
    public void RunOrThrow(HookPhase phase)
    {
        if (Run(phase) is { } failure)
        {
            throw new TunnelException(TunnelError.HookFailed, $"{failure}. The start was undone.");
        }
    }

    /// <summary>Runs one command on the calling thread (so in its namespace); returns why it failed, or null.</summary>
    private string? RunOne(HookPhase phase, string command)
    {
        log.Information($"{phase}: [#] {MessageText.WithoutKeys(command)}");
        var start = new ProcessStartInfo(Shell)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"{Shell} could not start: {e.Message}";
        }

        using (process)
        {
            process.StandardInput.Close();
            process.OutputDataReceived += (_, line) => Write(TunnelLogLevel.Information, phase, line.Data);
            process.ErrorDataReceived += (_, line) => Write(TunnelLogLevel.Warning, phase, line.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(_timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                return $"it did not finish within {_timeout.TotalSeconds:0} s and was stopped";
            }

            // The first wait returns at exit; this one waits for the last lines of output.
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"exit code {process.ExitCode}";
        }
    }

    private void Write(TunnelLogLevel level, HookPhase phase, string? line)
    {
        if (line is not null)
        {
            log.Write(level, $"{phase}: {MessageText.WithoutKeys(line)}");
        }
    }
}
