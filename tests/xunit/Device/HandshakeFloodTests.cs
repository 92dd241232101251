using System.Diagnostics;
using System.Net;
using Taltun.Flood;
using Taltun.Protocol;
using Taltun.Tests.Interop;
using Xunit.Abstractions;

namespace Taltun.Tests.Device;

/// <summary>
/// A hub under a flood of handshake initiations with a valid mac1 (anyone who knows its public key
/// can send them): it must demand cookies instead of spending a Diffie-Hellman on each, keep its
/// timers and its own initiations going, let a new spoke in, and keep established traffic flowing.
/// Everything runs in namespaces this test creates: the flood comes from 10.96.1.0/26, addresses
/// routed to the attacker's loopback, and goes only to the hub's address on their shared veth.
/// </summary>
[Collection(InteropCollection.Name)]
public class HandshakeFloodTests(ITestOutputHelper output)
{
    private const int FloodRate = 20_000;

    [Fact]
    public async Task UnderATwentyThousandPerSecondFloodTheHubSendsCookiesLetsANewSpokeInInitiatesAndKeepsTraffic()
    {
        using var hub = new TunnelHost("flood-hub", "10.0.0.1");
        using var established = new TunnelHost("flood-s1", "10.0.0.2");
        using var newcomer = new TunnelHost("flood-s2", "10.0.0.3");
        using var answerer = new TunnelHost("flood-p", "10.0.0.4");
        using var attacker = new NetworkNamespace("flood-x");
        NetworkNamespace.Connect(hub.Namespace, "10.99.1.1/24", established.Namespace, "10.99.1.2/24");
        NetworkNamespace.Connect(hub.Namespace, "10.99.2.1/24", newcomer.Namespace, "10.99.2.2/24");
        NetworkNamespace.Connect(hub.Namespace, "10.99.3.1/24", answerer.Namespace, "10.99.3.2/24");
        NetworkNamespace.Connect(hub.Namespace, "10.96.0.1/24", attacker, "10.96.0.2/24");
        attacker.Exec("ip", "route", "add", "local", "10.96.1.0/24", "dev", "lo");
        hub.Namespace.Exec("ip", "route", "add", "10.96.1.0/24", "via", "10.96.0.2");

        // The hub knows where the answerer is but does not keep it alive: traffic makes it initiate.
        var answererPeer = answerer.AsPeer("10.99.3.2:9000", "10.0.0.4/32") with { PersistentKeepalive = TimeSpan.Zero };
        hub.Start([established.AsPeer(null, "10.0.0.2/32"), newcomer.AsPeer(null, "10.0.0.3/32"), answererPeer]);
        established.Start([hub.AsPeer("10.99.1.1:9000", "10.0.0.0/24")]);
        answerer.Start([hub.AsPeer(null, "10.0.0.0/24")]);
        Assert.Equal(3, established.Ping("10.0.0.1"));

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(12));
        // Blocking work runs on threads of its own: on the pool it would starve the timing loops below.
        Task<FloodResult> flood = OnOwnThread(() => attacker.Invoke(() =>
            new HandshakeFlood(IPEndPoint.Parse("10.96.0.1:9000"), hub.Key.PublicKey, IPAddress.Parse("10.96.1.1"), 32, 2).Run(FloodRate, stop.Token)));
        Task<string> traffic = OnOwnThread(() => established.Namespace.TryExec("ping", "-c", "150", "-i", "0.05", "-W", "1", "10.0.0.1").Output);
        await Task.Delay(TimeSpan.FromSeconds(2));

        // A spoke that starts now connects within 3 s (its first initiation gets a cookie, its
        // second carries mac2), and the hub's own initiation to a peer completes within 3 s.
        var clock = Stopwatch.StartNew();
        newcomer.Start([hub.AsPeer("10.99.2.1:9000", "10.0.0.0/24")]);
        Task<TimeSpan> hubInitiates = TimeToHandshake(hub, answerer.Key.PublicKey, () => hub.Namespace.TryExec("ping", "-n", "-c", "1", "-W", "1", "10.0.0.4"));
        while (newcomer.Tunnel!.GetStatus().Peers[0].LatestHandshake is null && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        TimeSpan connected = clock.Elapsed;
        TimeSpan initiated = await hubInitiates;
        string pings = await traffic;
        FloodResult result = await flood;

        long cookieReplies = hub.Tunnel!.GetStatus().Drops.GetValueOrDefault(DropReason.BadMac2);
        output.WriteLine("hub drops: " + string.Join(", ", hub.Tunnel.GetStatus().Drops.Select(d => $"{d.Key}={d.Value}")));
        output.WriteLine("newcomer log: " + string.Join(" | ", newcomer.Tunnel.Log.Entries.Select(e => e.Message)));
        output.WriteLine("newcomer drops: " + string.Join(", ", newcomer.Tunnel.GetStatus().Drops.Select(d => $"{d.Key}={d.Value}")));
        output.WriteLine($"flood: {result.Sent} initiations in {result.Elapsed.TotalSeconds:F1} s; cookie replies: hub {cookieReplies}, attacker {result.CookieReplies}; new spoke connected after {connected.TotalSeconds:F2} s; hub's handshake {initiated.TotalSeconds:F2} s; established spoke's loss {PacketLoss(pings)}%");
        Assert.True(result.Sent > FloodRate * 8, $"the flood sent only {result.Sent} initiations");
        Assert.True(cookieReplies > 0 && result.CookieReplies > 0, $"no cookie replies: hub counted {cookieReplies}, attacker received {result.CookieReplies}");
        Assert.True(connected < TimeSpan.FromSeconds(3), $"the new spoke connected after {connected.TotalSeconds:F1} s");
        Assert.True(initiated < TimeSpan.FromSeconds(3), $"the hub's own handshake took {initiated.TotalSeconds:F1} s");
        Assert.True(PacketLoss(pings) < 2.0, $"the established spoke lost {PacketLoss(pings)}% of its pings: {pings}");
    }

    /// <summary>How long until <paramref name="host"/> completes a handshake with <paramref name="peer"/> once <paramref name="trigger"/> (traffic for it) starts.</summary>
    private static async Task<TimeSpan> TimeToHandshake(TunnelHost host, Taltun.Crypto.PublicKey peer, Action trigger)
    {
        var clock = Stopwatch.StartNew();
        _ = OnOwnThread(() =>
        {
            trigger();
            return 0;
        });
        while (host.Tunnel!.GetStatus().Peers.Single(p => p.PublicKey == peer).LatestHandshake is null && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10);
        }

        return clock.Elapsed;
    }

    private static Task<T> OnOwnThread<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static double PacketLoss(string pingOutput)
    {
        var match = System.Text.RegularExpressions.Regex.Match(pingOutput, @"([\d.]+)% packet loss");
        return match.Success ? double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 100;
    }
}
