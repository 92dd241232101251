// Plays N real WireGuard peers against a hub from one process, for bench/swarm-bench.sh: each
// peer has its own key, address and UDP port and speaks through Taltun's protocol core. It writes
// the hub's [[peers]] entries for the swarm, then reads commands on stdin and prints a status line
// a second ("t=S connected=N handshakes=N cookies=N echoes=N initiations=N"). Commands: go (start), quiet (keepalives
// only), echo (an echo request per peer a second), mark (count handshakes from now), stop.
//
//   Taltun.Swarm --count 10000 --hub 10.95.0.1:9000 --hub-key KEY --hub-address 10.64.0.1
//                --sources 10.80.0.1 --tunnel-first 10.64.0.2 --peers-out hub-peers.toml [--keepalive 25]
using System.Globalization;
using System.Net;
using Taltun.Crypto;

Dictionary<string, string> options = [];
for (int i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

using var swarm = new Taltun.Swarm.Swarm(
    int.Parse(options["count"], CultureInfo.InvariantCulture),
    PublicKey.Parse(options["hub-key"]),
    IPEndPoint.Parse(options["hub"]),
    IPAddress.Parse(options["hub-address"]),
    IPAddress.Parse(options["sources"]),
    IPAddress.Parse(options["tunnel-first"]),
    TimeSpan.FromSeconds(int.Parse(options.GetValueOrDefault("keepalive", "25"), CultureInfo.InvariantCulture)));
File.WriteAllText(options["peers-out"], swarm.HubPeers());
Console.WriteLine("ready");

if (Console.ReadLine() != "go")
{
    return;
}

using var stop = new CancellationTokenSource();
var runner = new Thread(() => swarm.Run(stop.Token)) { IsBackground = true };
runner.Start();
var started = DateTimeOffset.UtcNow;
DateTimeOffset mark = started;
var reporter = new Thread(() =>
{
    while (!stop.IsCancellationRequested)
    {
        stop.Token.WaitHandle.WaitOne(1000);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"t={(DateTimeOffset.UtcNow - started).TotalSeconds:F1} connected={swarm.Connected} handshakes={swarm.HandshakesSince(mark)} cookies={swarm.CookieReplies} echoes={swarm.EchoReplies} initiations={swarm.Initiations}"));
    }
}) { IsBackground = true };
reporter.Start();

while (Console.ReadLine() is { } command && command != "stop")
{
    switch (command)
    {
        case "quiet":
            swarm.EchoInterval = TimeSpan.Zero;
            break;
        case "echo":
            swarm.EchoInterval = TimeSpan.FromSeconds(1);
            break;
        case "mark":
            mark = DateTimeOffset.UtcNow;
            break;
    }
}

stop.Cancel();
runner.Join();
