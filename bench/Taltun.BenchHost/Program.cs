// Runs one Taltun tunnel in this process for the bench scripts, and answers "stats" on stdin with
// what only the process itself can see: bytes allocated by the whole process, CPU time, and
// packets moved. Usage (inside the namespace, as root):
//   Taltun.BenchHost --key FILE --address 10.0.0.1/24 --listen 0.0.0.0:9000
//                    --peer PUBKEY --allowed 10.0.0.2/32 [--endpoint 10.98.0.2:9000] [--offloads off] [--queues N]
//                    [--keep-warm on]
//   Taltun.BenchHost --config hub.toml         (runs until SIGTERM; SIGUSR1 collects garbage,
//                                                SIGUSR2 writes the tunnel's drop counters)
//   Taltun.BenchHost --config hub.toml --add-peers 100 --add-first 10.64.100.2
//                     (adds that many new peers one call at a time, then removes them, and prints
//                      the engine's median cost of one add and one remove at the file's peer count)
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
WriteJit();
Console.Error.WriteLine(string.Join(Environment.NewLine, tunnel.Log.Entries.Select(e => e.Message)));

if (config is not null && options.TryGetValue("add-peers", out string? count))
{
    MeasurePeerChanges(tunnel, int.Parse(count, System.Globalization.CultureInfo.InvariantCulture), IPAddress.Parse(options["add-first"]));
    return;
}

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
        WriteJit();
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

// One peer added and removed through Tunnel's own calls (what Add-TaltunPeer and the control
// socket call), each timed alone: its one X25519 and its table entries, at this table's size.
static void MeasurePeerChanges(Tunnel tunnel, int count, IPAddress first)
{
    var peers = new List<PeerConfiguration>();
    uint address = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(first.GetAddressBytes());
    for (int i = 0; i < count; i++)
    {
        using var key = PrivateKey.Generate();
        byte[] bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, address + (uint)i);
        peers.Add(new PeerConfiguration { PublicKey = key.PublicKey, VirtualIP = new IPAddress(bytes) });
    }

    var add = new List<double>();
    var remove = new List<double>();
    foreach (PeerConfiguration peer in peers)
    {
        long start = Stopwatch.GetTimestamp();
        tunnel.AddPeer(peer);
        add.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
    }

    foreach (PeerConfiguration peer in peers)
    {
        long start = Stopwatch.GetTimestamp();
        tunnel.RemovePeer(peer.PublicKey);
        remove.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
    }

    add.Sort();
    remove.Sort();
    Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"engine peers={tunnel.GetStatus().Peers.Count} add_one_us={add[add.Count / 2]:F1} remove_one_us={remove[remove.Count / 2]:F1}"));
}

// What the JIT compiled so far (methods the precompiled code lacked, and hot ones compiled again).
static void WriteJit() => Console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
    $"jit methods={System.Runtime.JitInfo.GetCompiledMethodCount()} seconds={System.Runtime.JitInfo.GetCompilationTime().TotalSeconds:F2}"));

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
        KeepWarm = options.GetValueOrDefault("keep-warm", "off") switch
        {
            "on" => true,
            "off" => false,
            string other => throw new ArgumentException($"--keep-warm {other}: use on or off."),
        },
        TunQueues = options.TryGetValue("queues", out string? queues) ? int.Parse(queues) : new TunnelOptions { InterfaceName = "x", PrivateKey = key }.TunQueues,
    };
}
