// Runs one Taltun tunnel in this process for the bench scripts, and answers "stats" on stdin with
// what only the process itself can see: bytes allocated by the whole process, CPU time, and
// packets moved. Usage (inside the namespace, as root):
//   Taltun.BenchHost --key FILE --address 10.0.0.1/24 --listen 0.0.0.0:9000
//                    --peer PUBKEY --allowed 10.0.0.2/32 [--endpoint 10.98.0.2:9000] [--offloads off] [--queues N]
//   Taltun.BenchHost --config hub.toml         (runs until SIGTERM; SIGUSR1 collects garbage,
//                                                SIGUSR2 writes the tunnel's drop counters)
using System.Diagnostics;
using System.Net;
using Taltun.Configuration;
using Taltun.Crypto;
using Taltun.Device;

Dictionary<string, string> options = [];
for (int i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

using Tunnel tunnel = Tunnel.Start(options.TryGetValue("config", out string? config) ? ConfigurationFile.Load(config).ToOptions() : FromArguments(options));
Console.WriteLine($"ready {tunnel.PublicKey}");
Console.Error.WriteLine(string.Join(Environment.NewLine, tunnel.Log.Entries.Select(e => e.Message)));

if (config is not null)
{
    // A hub or spoke of the bench scripts: it runs until SIGTERM. SIGUSR1 collects garbage, so
    // the resident memory a script reads next is what the tunnel keeps, not what it threw away.
    Collect();
    using var collect = System.Runtime.InteropServices.PosixSignalRegistration.Create((System.Runtime.InteropServices.PosixSignal)10, context =>
    {
        context.Cancel = true;
        Collect();
    });
    using var drops = System.Runtime.InteropServices.PosixSignalRegistration.Create((System.Runtime.InteropServices.PosixSignal)12, context =>
    {
        context.Cancel = true;
        Console.Error.WriteLine("drops " + string.Join(' ', tunnel.GetStatus().Drops.Where(d => d.Value > 0).Select(d => $"{d.Key}={d.Value}")));
    });
    using var terminated = new ManualResetEventSlim();
    using var registration = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        terminated.Set();
    });
    terminated.Wait();
    return;
}

while (Console.ReadLine() is { } line && line != "stop")
{
    if (line == "stats")
    {
        IReadOnlyList<PeerStatus> peers = tunnel.GetStatus().Peers;
        Console.WriteLine(string.Join(' ',
            "allocated", GC.GetTotalAllocatedBytes(precise: true),
            "cpu", Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds.ToString("F3", System.Globalization.CultureInfo.InvariantCulture),
            "packets", peers.Sum(p => p.RxPackets + p.TxPackets),
            "bytes", peers.Sum(p => p.RxBytes + p.TxBytes)));
    }
}

static void Collect()
{
    System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    Console.Error.WriteLine($"memory managed={GC.GetTotalMemory(forceFullCollection: false)}");
}

static TunnelOptions FromArguments(Dictionary<string, string> options)
{
    PrivateKey key = PrivateKey.Parse(File.ReadAllText(options["key"]).Trim());
    InterfaceAddress address = InterfaceAddress.Parse(options["address"], TunnelOptions.DefaultPrefixLength, out string problem) ?? throw new ArgumentException(problem);
    var peer = new PeerOptions
    {
        PublicKey = PublicKey.Parse(options["peer"]),
        AllowedIps = [IPNetwork.Parse(options["allowed"])],
        Endpoint = options.TryGetValue("endpoint", out string? endpoint) ? IPEndPoint.Parse(endpoint) : null,
    };
    return new TunnelOptions
    {
        InterfaceName = options.GetValueOrDefault("name", "tun0"),
        PrivateKey = key,
        ListenEndPoint = IPEndPoint.Parse(options.GetValueOrDefault("listen", "0.0.0.0:9000")),
        Addresses = [address],
        Peers = [peer],
        UseOffloads = options.GetValueOrDefault("offloads", "on") != "off",
        TunQueues = options.TryGetValue("queues", out string? queues) ? int.Parse(queues) : new TunnelOptions { InterfaceName = "x", PrivateKey = key }.TunQueues,
    };
}
