using System.Diagnostics;
using Taltun.Configuration;
using Taltun.Device;
using Taltun.Foundation;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Device;

/// <summary>wg-quick's hooks on real tunnels in a test namespace: when each runs, where, with what, and what a failure does.</summary>
[Collection(InteropCollection.Name)]
public sealed class TunnelHooksTests : IDisposable
{
    private readonly TunnelHost _host = new("hooks", "10.0.0.1");
    private readonly string _directory = Directory.CreateTempSubdirectory("taltun-hooks-").FullName;

    [Fact]
    public void HooksRunInOrderInTheTunnelsNamespaceWithTheInterfaceName()
    {
        string trace = Path.Combine(_directory, "trace");
        Tunnel tunnel = Start(
            Hook(HookPhase.PreUp, $"echo pre-up; ip -o link show | grep -c ' %i:' >> {trace} || true"),
            Hook(HookPhase.PostUp, $"ip -o address show dev %i | grep -o 'inet 10.0.0.1/24' >> {trace}"),
            Hook(HookPhase.PostUp, $"echo second >> {trace}; echo oops >&2"),
            Hook(HookPhase.PreDown, $"ip -o link show %i | grep -c UP >> {trace}"),
            Hook(HookPhase.PostDown, $"ip link show %i 2>/dev/null || echo gone >> {trace}"));

        Assert.Equal(["0", "inet 10.0.0.1/24", "second"], File.ReadAllLines(trace));
        string[] log = [.. tunnel.Log.Entries.Select(e => $"{e.Level} {e.Message}")];
        Assert.Contains("Information PreUp: pre-up", log);
        Assert.Contains("Warning PostUp: oops", log);
        Assert.Contains($"Information PostUp: [#] echo second >> {trace}; echo oops >&2", log);

        Assert.Empty(tunnel.Stop());
        Assert.Equal(["0", "inet 10.0.0.1/24", "second", "1", "gone"], File.ReadAllLines(trace));
    }

    [Fact]
    public void AFailingPreUpAbortsTheStartBeforeTheInterfaceExists()
    {
        string trace = Path.Combine(_directory, "trace");

        var error = Assert.Throws<TunnelException>(() => Start(
            Hook(HookPhase.PreUp, "echo checking; exit 3"),
            Hook(HookPhase.PostUp, $"echo up >> {trace}"),
            Hook(HookPhase.PostDown, $"echo down >> {trace}")));

        Assert.Equal(TunnelError.HookFailed, error.Error);
        Assert.Equal("PreUp hook failed: exit code 3 (echo checking; exit 3). The start was undone.", error.Message);
        Assert.False(File.Exists(trace));
        Assert.DoesNotContain("tun0", _host.Namespace.Exec("ip", "link", "show"));
    }

    [Fact]
    public void AFailingPostUpUndoesTheStartWithoutRunningTheDownHooks()
    {
        string trace = Path.Combine(_directory, "trace");

        var error = Assert.Throws<TunnelException>(() => Start(
            Hook(HookPhase.PostUp, "false"),
            Hook(HookPhase.PreDown, $"echo pre-down >> {trace}"),
            Hook(HookPhase.PostDown, $"echo post-down >> {trace}")));

        Assert.Equal(TunnelError.HookFailed, error.Error);
        Assert.False(File.Exists(trace));
        Assert.DoesNotContain("tun0", _host.Namespace.Exec("ip", "link", "show"));
        Assert.DoesNotContain("10.0.0", _host.Namespace.Exec("ip", "route", "show"));
    }

    [Fact]
    public void AFailingDownHookIsReportedAndTheStopCompletes()
    {
        Tunnel tunnel = Start(Hook(HookPhase.PreDown, "exit 1"), Hook(HookPhase.PostDown, "echo cleaning; exit 7"));

        IReadOnlyList<TunnelException> problems = tunnel.Stop();

        Assert.Equal(["PreDown hook failed: exit code 1 (exit 1)", "PostDown hook failed: exit code 7 (echo cleaning; exit 7)"], problems.Select(p => p.Message));
        Assert.All(problems, p => Assert.Equal(TunnelError.HookFailed, p.Error));
        Assert.DoesNotContain("tun0", _host.Namespace.Exec("ip", "link", "show"));
        Assert.Contains(tunnel.Log.Entries, e => e.Level == TunnelLogLevel.Error && e.Message.StartsWith("PostDown hook failed", StringComparison.Ordinal));
        Assert.Empty(tunnel.Stop());
    }

    [Fact]
    public void KeysInAHooksCommandOrOutputAreHiddenInTheLog()
    {
        using var key = Taltun.Crypto.PrivateKey.Generate();
        string hex = Convert.ToHexStringLower(RandomBytes());
        Tunnel tunnel = Start(Hook(HookPhase.PostUp, $"echo {key.ToBase64()} /etc/wireguard/scripts/up.sh {hex}"));

        string log = string.Join('\n', tunnel.Log.Entries.Select(e => e.Message));
        Assert.DoesNotContain(key.ToBase64()[..12], log);
        Assert.DoesNotContain(hex[..12], log);
        Assert.Contains("PostUp: (key hidden) /etc/wireguard/scripts/up.sh (key hidden)", log);
        tunnel.Stop();
    }

    [Fact]
    public void AHookThatHangsIsStoppedAndFails()
    {
        var log = new TunnelLog(TimeProvider.System);
        // An odd duration, so that no other process on the machine (a "sleep 300" of someone's
        // shell) is taken for one the hook left behind.
        var runner = new HookRunner([Hook(HookPhase.PostDown, "sleep 29.71 & sleep 29.71")], "tun0", _host.Namespace.Name, log, TimeSpan.FromSeconds(1));

        var watch = Stopwatch.StartNew();
        string? failure = runner.Run(HookPhase.PostDown);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal("PostDown hook failed: it did not finish within 1 s and was stopped (sleep 29.71 & sleep 29.71)", failure);
        Assert.DoesNotContain("sleep 29.71", NetworkNamespace.Run("ps", "-eo", "args"));
    }

    public void Dispose()
    {
        _host.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static HookCommand Hook(HookPhase phase, string command) => new(phase, command);

    private static byte[] RandomBytes() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    private Tunnel Start(params HookCommand[] hooks) =>
        Tunnel.Start(_host.Options([]) with { Hooks = hooks, NetworkNamespace = _host.Namespace.Name });
}
