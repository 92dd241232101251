using Taltun.Tests.Interop;

namespace Taltun.Tests.Device;

/// <summary>
/// keep_warm: a packet loop that carried traffic wakes about every millisecond for a second, then
/// sleeps; without it, or without traffic, a loop sleeps until a packet comes. Each loop's
/// wake-ups are read from the kernel (its thread's voluntary context switches), so these tests
/// see what the loop does, not what it was told.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class KeepWarmTests
{
    [Fact]
    public void ALoopThatCarriedTrafficWakesForASecondThenSleeps()
    {
        using var warm = new TunnelHost("kwwarm", "10.0.0.1") { KeepWarm = true };
        using var cold = new TunnelHost("kwcold", "10.0.0.2");
        NetworkNamespace.Connect(warm.Namespace, "10.98.0.1/30", cold.Namespace, "10.98.0.2/30");
        // The side without an endpoint first: the other initiates as it starts, and an initiation
        // nobody hears is sent again only after RekeyTimeout (5 s), as in WireGuard.
        cold.Start([warm.AsPeer(null, "10.0.0.1/32")], name: "kwc");
        warm.Start([cold.AsPeer("10.98.0.2:9000", "10.0.0.2/32")], name: "kwa");

        // A session first; then, a second and more after its last packet (with only the kernel's
        // own IPv6 chatter on the interface, which is dropped, not carried), the loops sleep.
        Assert.Equal(3, warm.Ping("10.0.0.2"));
        Thread.Sleep(1300);
        Assert.InRange(WakeUpsOver("kwa", TimeSpan.FromMilliseconds(500)), 0, 10);

        Assert.Equal(1, warm.Ping("10.0.0.2", 1));
        var sincePing = System.Diagnostics.Stopwatch.StartNew();
        // About 300 wake-ups over 300 ms for each loop that carried the echo (the request left
        // through one, the reply may have come in through the other); a loaded machine delays some.
        Assert.InRange(WakeUpsOver("kwa", TimeSpan.FromMilliseconds(300)), 60, 2 * 350);
        Assert.InRange(WakeUpsOver("kwc", TimeSpan.FromMilliseconds(300)), 0, 10);

        // The window (a second after the last packet) closes: the loops sleep again.
        Thread.Sleep(TimeSpan.FromMilliseconds(Math.Max(0, 1300 - sincePing.ElapsedMilliseconds)));
        Assert.InRange(WakeUpsOver("kwa", TimeSpan.FromMilliseconds(500)), 0, 10);
    }

    /// <summary>How often the packet loops of tunnel <paramref name="name"/> in this process went to sleep over <paramref name="period"/>.</summary>
    private static long WakeUpsOver(string name, TimeSpan period)
    {
        long before = Sleeps(name);
        Thread.Sleep(period);
        return Sleeps(name) - before;
    }

    private static long Sleeps(string name)
    {
        // The kernel keeps the first 15 bytes of a thread's name: "taltun/NAME/packetsN" cut short.
        string comm = $"taltun/{name}/packets"[..15];
        long total = 0;
        int loops = 0;
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') != comm)
                {
                    continue;
                }

                string status = File.ReadAllText(Path.Combine(task, "status"));
                string line = status.Split('\n').Single(l => l.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal));
                total += long.Parse(line.Split(':')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                loops++;
            }
            catch (IOException)
            {
                // A thread that ended while we looked.
            }
        }

        Assert.True(loops > 0, $"No packet loop thread of {name} found.");
        return total;
    }
}
