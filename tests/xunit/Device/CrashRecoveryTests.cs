using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Taltun.Configuration;
using Taltun.Device;
using Taltun.Foundation;
using Taltun.Netlink;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Device;

/// <summary>
/// Coming back after a crash. A full-tunnel client keeps its hub's endpoint outside the tunnel
/// through a host route via its gateway; when its process dies by SIGKILL the interface goes with
/// it, the host route does not. Starting the same tunnel again at once must work, keep exactly one
/// such route and remove it at stop, and never remove a route Taltun did not add or that another
/// running tunnel holds. The client's tunnel runs in a child process (Taltun.BenchHost), so it can
/// be killed. Hub and client each have a namespace of their own (tcr-…), joined by a veth; the
/// hub's public address 172.20.0.1 lies beyond the client's gateway 10.98.0.1.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class CrashRecoveryTests : IDisposable
{
    private const string HubAddress = "172.20.0.1";
    private const string Gateway = "10.98.0.1";
    private const string TunnelName = "tcrc0";
    private const int ClientPort = 9100;

    private readonly TunnelHost _hub = new("hub", "10.0.0.1", namespacePrefix: "tcr");
    private readonly TunnelHost _client = new("cli", "10.0.0.2", namespacePrefix: "tcr");
    private readonly string _directory = Directory.CreateTempSubdirectory("tcr-").FullName;
    private readonly string _configuration;

    public CrashRecoveryTests()
    {
        try
        {
            NetworkNamespace.Connect(_hub.Namespace, $"{Gateway}/30", _client.Namespace, "10.98.0.2/30");
            _hub.Namespace.Exec("ip", "address", "add", $"{HubAddress}/32", "dev", "lo");
            _client.Namespace.Exec("ip", "route", "add", "default", "via", Gateway);
            _hub.Start([_client.AsPeer(null, "10.0.0.2/32")]);
            _configuration = WriteClientConfiguration();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    [Fact]
    public void AFullTunnelClientKilledWithSigkillStartsAgainAtOnceAndItsStopLeavesNoEndpointRoute()
    {
        RunClientInChildAndKillIt();
        Assert.StartsWith($"{HubAddress} via {Gateway}", Assert.Single(EndpointRoutes()));
        Assert.True(File.Exists(RecordPath()), "the dead tunnel recorded no routes");

        Tunnel client = StartClientHere();
        try
        {
            Assert.Matches($"^{HubAddress} via {Gateway} dev \\S+ proto 84$", Assert.Single(EndpointRoutes()));
            Assert.Contains(client.Log.Entries, e => e.Message.StartsWith($"Tunnel '{TunnelName}' ended with its process", StringComparison.Ordinal) && e.Message.Contains($"{HubAddress}/32 via {Gateway}", StringComparison.Ordinal));
            Assert.Equal(3, _client.Ping("10.0.0.1"));
        }
        finally
        {
            client.Stop();
        }

        Assert.Empty(EndpointRoutes());
        Assert.False(File.Exists(RecordPath()), "the stopped tunnel left its record");
    }

    [Fact]
    public void ARouteToTheHubThatTaltunDidNotAddIsLeftAloneAtStartAndStop()
    {
        RunClientInChildAndKillIt();

        // Someone puts a route of their own (no Taltun mark) where the dead tunnel's was.
        _client.Namespace.Exec("ip", "route", "delete", $"{HubAddress}/32");
        _client.Namespace.Exec("ip", "route", "add", $"{HubAddress}/32", "via", Gateway, "proto", "static");
        string theirs = Assert.Single(EndpointRoutes());

        Tunnel client = StartClientHere();
        try
        {
            Assert.Equal(theirs, Assert.Single(EndpointRoutes()));
            Assert.Contains(client.Log.Entries, e => e.Message.Contains($"A route to {HubAddress}/32 is there already and is not this tunnel's", StringComparison.Ordinal));
            Assert.Equal(3, _client.Ping("10.0.0.1"));
        }
        finally
        {
            client.Stop();
        }

        Assert.Equal(theirs, Assert.Single(EndpointRoutes()));
    }

    [Fact]
    public void ARunningTunnelsEndpointRouteOutlivesAnotherTunnelToTheSameHub()
    {
        Tunnel first = StartClientHere();
        try
        {
            string route = Assert.Single(EndpointRoutes());

            // A second tunnel whose routes also capture the hub's address: the host route it
            // needs is there already, and it belongs to the first.
            TunnelOptions secondOptions = _client.Options([_hub.AsPeer($"{HubAddress}:9000", "10.0.1.0/24")], port: ClientPort + 1, routes: [IPNetwork.Parse("172.20.0.0/16")], name: "tcrc1") with
            {
                Addresses = [new InterfaceAddress(IPAddress.Parse("10.0.1.2"), 24)],
            };
            _client.Namespace.Invoke(() => Tunnel.Start(secondOptions)).Stop();

            Assert.Equal(route, Assert.Single(EndpointRoutes()));
        }
        finally
        {
            first.Stop();
        }

        Assert.Empty(EndpointRoutes());
    }

    [Fact]
    public void RoutesRecordedByAProcessThatStillRunsAreNotTaken()
    {
        // As if this process ran the tunnel and its interface had been deleted under it.
        _client.Namespace.Exec("ip", "route", "add", $"{HubAddress}/32", "via", Gateway, "proto", "84");
        var record = new EndpointRouteRecord.Contents
        {
            Tunnel = TunnelName,
            Pid = RuntimeState.Owner.Pid,
            ProcessStart = RuntimeState.Owner.Start,
            Routes = [new EndpointRouteRecord.RecordedRoute { Destination = $"{HubAddress}/32", Gateway = Gateway, Interface = ClientLinkIndex() }],
        };
        RuntimeState.Write(RuntimeState.DefaultRoot, RecordPath(), JsonSerializer.Serialize(record));

        TunnelException refused = Assert.Throws<TunnelException>(StartClientHere);

        Assert.Equal(TunnelError.InterfaceExists, refused.Error);
        Assert.Contains($"Process {Environment.ProcessId} runs a tunnel named '{TunnelName}' in this network namespace", refused.Message);
        Assert.Single(EndpointRoutes());
        Assert.True(File.Exists(RecordPath()));
    }

    public void Dispose()
    {
        // A test that failed between the kill and the restart leaves the dead tunnel's record.
        string record = RecordPath();
        if (File.Exists(record))
        {
            RuntimeState.Delete(RuntimeState.DefaultRoot, record);
        }

        _client.Dispose();
        _hub.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Starts the client's tunnel in a child process in the client's namespace, waits until it is up, and kills it with SIGKILL: nothing of it runs after that.</summary>
    private void RunClientInChildAndKillIt()
    {
        Process child = _client.Namespace.Start(Path.Combine(AppContext.BaseDirectory, "Taltun.BenchHost"), "--config", _configuration);
        Task<string?> ready = child.StandardOutput.ReadLineAsync();
        bool up = ready.Wait(TimeSpan.FromSeconds(30)) && ready.Result?.StartsWith("ready", StringComparison.Ordinal) == true;
        child.Kill();
        Assert.True(child.WaitForExit(10_000), "the child tunnel did not die");
        Assert.True(up, $"the child tunnel did not start: {child.StandardError.ReadToEnd()}");
        Assert.Equal(128 + 9, child.ExitCode);
    }

    /// <summary>Starts the client's tunnel in this process from the same file: same name, same port.</summary>
    private Tunnel StartClientHere()
    {
        TunnelOptions options = ConfigurationFile.Load(_configuration).ToOptions();
        return _client.Namespace.Invoke(() => Tunnel.Start(options));
    }

    /// <summary>The index of the client's end of the veth, the interface its endpoint routes leave by.</summary>
    private int ClientLinkIndex() => _client.Namespace.Invoke(() =>
    {
        using RouteNetlink netlink = RouteNetlink.Open();
        return netlink.RouteTo(IPAddress.Parse(Gateway))!.Value.Index;
    });

    /// <summary>Where the client's tunnel records the routes it adds outside its interface.</summary>
    private string RecordPath() => _client.Namespace.Invoke(() => RuntimeState.PathInThisNetworkNamespace(RuntimeState.DefaultRoot, TunnelName, EndpointRouteRecord.Purpose));

    /// <summary>The client's routes to exactly the hub's address, protocols as numbers.</summary>
    private string[] EndpointRoutes() => _client.Namespace.Exec("ip", "-N", "route", "show", $"{HubAddress}/32")
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private string WriteClientConfiguration()
    {
        string path = Path.Combine(_directory, "client.toml");
        File.WriteAllText(path, $"""
            [interface]
            mode = "client"
            tun_name = "{TunnelName}"
            vip = "{_client.TunnelAddress}/24"
            local_addr = "0.0.0.0:{ClientPort}"
            private_key = "{_client.Key.ToBase64()}"
            routes = ["0.0.0.0/1", "128.0.0.0/1"]

            [[peers]]
            vip = "{_hub.TunnelAddress}"
            public_key = "{_hub.Key.PublicKey}"
            endpoint = "{HubAddress}:9000"
            """);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
