using System.Diagnostics;
using System.Net;
using Taltun.Configuration;
using Taltun.Tests.Interop;
using Xunit.Abstractions;

namespace Taltun.Tests.Device;

/// <summary>
/// A hub with a few hundred real WireGuard peers (bench/Taltun.Swarm in-process, each peer its own
/// key, address and port): all connect, and when the hub restarts they all come back — the
/// reconnect storm bench/swarm-bench.sh measures at 10,000 peers.
/// </summary>
[Collection(InteropCollection.Name)]
public class SwarmTests(ITestOutputHelper output)
{
    private const int Peers = 300;

    [Fact]
    public async Task AHundredsStrongSwarmConnectsAndComesBackAfterTheHubRestarts()
    {
        using var hub = new TunnelHost("swarm-hub", "10.64.0.1");
        using var swarmSide = new NetworkNamespace("swarm-peers");
        NetworkNamespace.Connect(hub.Namespace, "10.95.0.1/24", swarmSide, "10.95.0.2/24");
        swarmSide.Exec("ip", "route", "add", "local", "10.80.0.0/16", "dev", "lo");
        hub.Namespace.Exec("ip", "route", "add", "10.80.0.0/16", "via", "10.95.0.2");

        using var swarm = swarmSide.Invoke(() => new Taltun.Swarm.Swarm(
            Peers, hub.Key.PublicKey, IPEndPoint.Parse("10.95.0.1:9000"), IPAddress.Parse("10.64.0.1"), IPAddress.Parse("10.80.0.1"), IPAddress.Parse("10.64.0.2"), TimeSpan.FromSeconds(25)));
        PeerOptions[] peers = [.. swarm.Members.Select(m => new PeerOptions { PublicKey = m.Key, AllowedIps = [new IPNetwork(m.Address, 32)] })];
        TunnelOptions options = hub.Options(peers) with { Addresses = [new InterfaceAddress(IPAddress.Parse("10.64.0.1"), 16)] };
        hub.Start(peers, addresses: options.Addresses);

        using var stop = new CancellationTokenSource();
        var runner = new Thread(() => swarm.Run(stop.Token));
        runner.Start();
        try
        {
            TimeSpan connected = await Until(() => swarm.Connected == Peers, TimeSpan.FromSeconds(30));
            Assert.Equal(Peers, swarm.Connected);
            Assert.Equal(Peers, hub.Tunnel!.GetStatus().Peers.Count(p => p.LatestHandshake is not null));

            hub.StopTunnel();
            hub.Start(peers, addresses: options.Addresses);
            DateTimeOffset restarted = DateTimeOffset.UtcNow;
            TimeSpan back = await Until(() => hub.Tunnel!.GetStatus().Peers.Count(p => p.LatestHandshake >= restarted) == Peers && swarm.Connected == Peers, TimeSpan.FromSeconds(30));

            output.WriteLine($"{Peers} peers connected in {connected.TotalSeconds:F1} s; after the hub restarted all were back in {back.TotalSeconds:F1} s ({swarm.CookieReplies} cookie replies)");
            Assert.True(back < TimeSpan.FromSeconds(10), $"only {swarm.Connected} of {Peers} back after {back.TotalSeconds:F1} s");
        }
        finally
        {
            stop.Cancel();
            runner.Join();
        }
    }

    private static async Task<TimeSpan> Until(Func<bool> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < limit)
        {
            await Task.Delay(100);
        }

        return clock.Elapsed;
    }
}
