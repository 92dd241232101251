using System.Net;
using System.Text.Json;
using Taltun.Configuration;
using Taltun.Device;
using Taltun.Foundation;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Device;

/// <summary>
/// DNS while a tunnel runs, put back exactly when it stops or after its process died: in a test
/// namespace through /etc/netns/NAME/resolv.conf (what ip netns exec shows), and through
/// resolvectl and resolvconf, played by scripts that record what they are asked.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class TunnelDnsTests : IDisposable
{
    private static readonly DnsSettings Settings = new()
    {
        Servers = [IPAddress.Parse("10.0.0.53"), IPAddress.Parse("fd00::53")],
        SearchDomains = ["corp.example", "lab.example"],
    };

    private readonly TunnelHost _host = new("dns", "10.0.0.1");
    private readonly string _directory = Directory.CreateTempSubdirectory("taltun-dns-").FullName;

    /// <summary>Whether /etc/netns was there before: a test that makes it by hand removes it again.</summary>
    private readonly bool _hadNamespaceConfig = Directory.Exists("/etc/netns");

    private string NamespaceDirectory => $"/etc/netns/{_host.Namespace.Name}";

    private string ResolvConf => Path.Combine(NamespaceDirectory, "resolv.conf");

    [Fact]
    public void ANamespacedTunnelGivesItsNamespaceAResolvConfAndTakesItAwayAgain()
    {
        Tunnel tunnel = Tunnel.Start(Options());

        string seen = _host.Namespace.Exec("cat", "/etc/resolv.conf");
        Assert.Contains("nameserver 10.0.0.53\nnameserver fd00::53\nsearch corp.example lab.example\n", seen);
        Assert.Equal("644", NetworkNamespace.Run("stat", "-c", "%a", ResolvConf).Trim());
        string record = RuntimeState.PathOf(RuntimeState.DefaultRoot, _host.Namespace.Name, "tun0", "dns");
        Assert.Equal("600", NetworkNamespace.Run("stat", "-c", "%a", record).Trim());
        Assert.Equal("700", NetworkNamespace.Run("stat", "-c", "%a", Path.GetDirectoryName(record)!).Trim());

        Assert.Empty(tunnel.Stop());
        Assert.False(Directory.Exists(NamespaceDirectory));
        Assert.False(File.Exists(record));
        Assert.False(Directory.Exists(Path.GetDirectoryName(record)));
    }

    [Fact]
    public void AResolvConfThatWasThereComesBackExactly()
    {
        Directory.CreateDirectory(NamespaceDirectory);
        File.WriteAllText(ResolvConf, "nameserver 192.0.2.53\noptions edns0\n");
        File.SetUnixFileMode(ResolvConf, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        Tunnel tunnel = Tunnel.Start(Options());
        Assert.DoesNotContain("192.0.2.53", File.ReadAllText(ResolvConf));
        tunnel.Stop();

        Assert.Equal("nameserver 192.0.2.53\noptions edns0\n", File.ReadAllText(ResolvConf));
        Assert.Equal("640", NetworkNamespace.Run("stat", "-c", "%a", ResolvConf).Trim());
    }

    [Fact]
    public void AResolvConfSomeoneChangedMeanwhileIsLeftAsTheyMadeIt()
    {
        Tunnel tunnel = Tunnel.Start(Options());
        File.WriteAllText(ResolvConf, "nameserver 198.51.100.53\n");

        IReadOnlyList<TunnelException> problems = tunnel.Stop();

        Assert.Contains("was changed while tunnel 'tun0' ran", Assert.Single(problems).Message);
        Assert.Equal(TunnelError.DnsFailed, problems[0].Error);
        Assert.Equal("nameserver 198.51.100.53\n", File.ReadAllText(ResolvConf));
    }

    [Fact]
    public void WhatADeadProcessLeftIsPutBackByTheNextTunnelToStart()
    {
        Directory.CreateDirectory(NamespaceDirectory);
        File.WriteAllText(ResolvConf, "nameserver 192.0.2.53\n");
        Tunnel tunnel = Tunnel.Start(Options());
        string record = RuntimeState.PathOf(RuntimeState.DefaultRoot, _host.Namespace.Name, "tun0", "dns");
        string kept = File.ReadAllText(record);
        tunnel.Stop();

        // As if the process had died with the tunnel up: its record and its resolv.conf stay.
        File.WriteAllText(ResolvConf, JsonSerializer.Deserialize<JsonElement>(kept).GetProperty("Written").GetString());
        Directory.CreateDirectory(Path.GetDirectoryName(record)!);
        File.WriteAllText(record, kept.Replace($"\"Pid\":{Environment.ProcessId}", $"\"Pid\":{DeadProcess()}", StringComparison.Ordinal));

        Tunnel other = Tunnel.Start(_host.Options([], port: 9001, name: "tun1") with { NetworkNamespace = _host.Namespace.Name });

        Assert.Equal("nameserver 192.0.2.53\n", File.ReadAllText(ResolvConf));
        Assert.False(File.Exists(record));
        Assert.Contains(other.Log.Entries, e => e.Level == TunnelLogLevel.Warning && e.Message.Contains("Tunnel 'tun0' ended with its process", StringComparison.Ordinal));
        other.Stop();
    }

    [Fact]
    public void ALinkOrADirectoryOthersCanWriteIsRefusedBeforeAnythingChanges()
    {
        Directory.CreateDirectory(NamespaceDirectory);
        string elsewhere = Path.Combine(_directory, "victim");
        File.WriteAllText(elsewhere, "precious\n");
        File.CreateSymbolicLink(ResolvConf, elsewhere);

        var link = Assert.Throws<TunnelException>(() => Tunnel.Start(Options()));
        Assert.Equal(TunnelError.InvalidOptions, link.Error);
        Assert.Contains("is a symbolic link", link.Message);
        Assert.Equal("precious\n", File.ReadAllText(elsewhere));

        File.Delete(ResolvConf);
        File.SetUnixFileMode(NamespaceDirectory, (UnixFileMode)0x1FF);
        var open = Assert.Throws<TunnelException>(() => Tunnel.Start(Options()));
        Assert.Contains($"{NamespaceDirectory} can be written by group or others", open.Message);
        Assert.DoesNotContain("tun0", _host.Namespace.Exec("ip", "link", "show"));
        Assert.False(File.Exists(ResolvConf));
    }

    [Fact]
    public void SystemdResolvedGetsTheServersAndDomainsOfTheInterface()
    {
        DnsSystem system = FakeTools() with { Resolvconf = null };
        DnsConfiguration dns = Plan(system)!;

        dns.Apply();
        Assert.Equal(DnsMethod.Resolvectl, dns.Method);
        Assert.Null(dns.Restore());

        Assert.Equal(["resolvectl dns tun0 10.0.0.53 fd00::53", "resolvectl domain tun0 corp.example lab.example ~.", "resolvectl revert tun0"], Calls());
        Assert.Empty(RuntimeState.Find(system.StateRoot, "dns"));
    }

    [Fact]
    public void ResolvconfGetsARecordForTheInterfaceAsWgQuickAddsOne()
    {
        DnsSystem system = FakeTools() with { ResolvedSocket = Path.Combine(_directory, "no-such-socket") };
        DnsConfiguration dns = Plan(system)!;

        dns.Apply();
        Assert.Equal(DnsMethod.Resolvconf, dns.Method);
        Assert.Equal("nameserver 10.0.0.53\nnameserver fd00::53\nsearch corp.example lab.example\n", File.ReadAllText(Path.Combine(_directory, "stdin")));
        dns.Restore();
        dns.Restore();

        Assert.Equal(["resolvconf -a tun.tun0 -m 0 -x", "resolvconf -d tun.tun0 -f"], Calls());
    }

    [Fact]
    public void ResolvconfsRecordOfADeadProcessIsDeleted()
    {
        DnsSystem system = FakeTools() with { ResolvedSocket = Path.Combine(_directory, "no-such-socket") };
        Plan(system)!.Apply();
        string record = Assert.Single(RuntimeState.Find(system.StateRoot, "dns"));
        File.WriteAllText(record, File.ReadAllText(record).Replace($"\"Pid\":{Environment.ProcessId}", $"\"Pid\":{DeadProcess()}", StringComparison.Ordinal));

        var log = new TunnelLog(TimeProvider.System);
        DnsConfiguration.RecoverAbandoned(system, log);

        Assert.Equal(["resolvconf -a tun.tun0 -m 0 -x", "resolvconf -d tun.tun0 -f"], Calls());
        Assert.Empty(RuntimeState.Find(system.StateRoot, "dns"));
    }

    [Fact]
    public void AFailedRestoreKeepsItsRecordSoALaterStartTriesAgain()
    {
        DnsSystem system = FakeTools("[ \"$1\" = -d ] && [ ! -e " + Path.Combine(_directory, "fixed") + " ] && exit 5; exit 0") with { ResolvedSocket = Path.Combine(_directory, "no-such-socket") };
        DnsConfiguration dns = Plan(system)!;
        dns.Apply();

        string? problem = dns.Restore();

        Assert.Contains("exit code 5", problem);
        Assert.Contains("stays, so the next tunnel to start tries again", problem);
        string record = Assert.Single(RuntimeState.Find(system.StateRoot, "dns"));
        File.WriteAllText(record, File.ReadAllText(record).Replace($"\"Pid\":{Environment.ProcessId}", $"\"Pid\":{DeadProcess()}", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_directory, "fixed"), string.Empty);
        DnsConfiguration.RecoverAbandoned(system, new TunnelLog(TimeProvider.System));
        Assert.Empty(RuntimeState.Find(system.StateRoot, "dns"));
        Assert.Equal(["resolvconf -a tun.tun0 -m 0 -x", "resolvconf -d tun.tun0 -f", "resolvconf -d tun.tun0 -f"], Calls());
    }

    [Fact]
    public void WithoutAnyWayToSetDnsTheStartIsRefused()
    {
        DnsSystem system = FakeTools() with { Resolvectl = null, Resolvconf = null };

        var error = Assert.Throws<TunnelException>(() => Plan(system));

        Assert.Equal(TunnelError.InvalidOptions, error.Error);
        Assert.Contains("need systemd-resolved (resolvectl) or resolvconf", error.Message);
    }

    [Fact]
    public void AToolThatFailsFailsTheStartAndLeavesNoRecord()
    {
        DnsSystem system = FakeTools("[ \"$1\" = -a ] && exit 2; exit 0") with { Resolvectl = null };

        var error = Assert.Throws<TunnelException>(() => Plan(system)!.Apply());

        Assert.Equal(TunnelError.DnsFailed, error.Error);
        Assert.Contains("exit code 2", error.Message);
        Assert.Empty(RuntimeState.Find(system.StateRoot, "dns"));
    }

    public void Dispose()
    {
        _host.Dispose();
        if (Directory.Exists(NamespaceDirectory))
        {
            Directory.Delete(NamespaceDirectory, recursive: true);
        }

        if (!_hadNamespaceConfig && Directory.Exists("/etc/netns") && !Directory.EnumerateFileSystemEntries("/etc/netns").Any())
        {
            Directory.Delete("/etc/netns");
        }

        string records = Path.Combine(RuntimeState.DefaultRoot, "netns", _host.Namespace.Name);
        if (Directory.Exists(records))
        {
            Directory.Delete(records, recursive: true);
        }

        Directory.Delete(_directory, recursive: true);
    }

    private static int DeadProcess()
    {
        using var process = System.Diagnostics.Process.Start("true")!;
        process.WaitForExit();
        return process.Id;
    }

    private TunnelOptions Options() => _host.Options([]) with { Dns = Settings, NetworkNamespace = _host.Namespace.Name };

    private DnsConfiguration? Plan(DnsSystem system) =>
        DnsConfiguration.Plan(_host.Options([]) with { Dns = Settings }, system, new TunnelLog(TimeProvider.System));

    /// <summary>resolvectl and resolvconf as scripts that log their arguments (and resolvconf its input) and run <paramref name="body"/>.</summary>
    private DnsSystem FakeTools(string body = "exit 0")
    {
        string Tool(string name)
        {
            string path = Path.Combine(_directory, name);
            File.WriteAllText(path, $"#!/bin/sh\necho \"{name} $*\" >> {_directory}/calls\n[ \"$1\" = -a ] && cat > {_directory}/stdin\n{body}\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return path;
        }

        string socket = Path.Combine(_directory, "resolved.socket");
        File.WriteAllText(socket, string.Empty);
        return new DnsSystem { StateRoot = Path.Combine(_directory, "run"), Resolvectl = Tool("resolvectl"), Resolvconf = Tool("resolvconf"), ResolvedSocket = socket };
    }

    private string[] Calls() => File.ReadAllLines(Path.Combine(_directory, "calls"));
}
