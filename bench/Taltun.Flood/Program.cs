// Floods a WireGuard responder with handshake initiations that carry a valid mac1 — what anyone
// who knows its public key can send, and what costs a responder a Diffie-Hellman each unless it
// demands cookies — from many source addresses and ports, at a set rate, for a bounded time.
// Cookie replies that come back are counted. For tests and bench/flood-bench.sh only: it sends to
// the one target given, from addresses the caller routes to this host (inside a test namespace).
//
//   Taltun.Flood --target 10.96.0.1:9000 --public-key KEY --rate 20000 --seconds 10
//                --sources 10.96.1.0 --source-count 32 [--ports-per-source 2]
//
// Prints one line when done: "sent N cookie-replies N seconds S".
using System.Globalization;
using System.Net;
using Taltun.Crypto;
using Taltun.Flood;

Dictionary<string, string> options = [];
for (int i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

var flood = new HandshakeFlood(
    IPEndPoint.Parse(options["target"]),
    PublicKey.Parse(options["public-key"]),
    IPAddress.Parse(options["sources"]),
    int.Parse(options.GetValueOrDefault("source-count", "32"), CultureInfo.InvariantCulture),
    int.Parse(options.GetValueOrDefault("ports-per-source", "2"), CultureInfo.InvariantCulture));
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(double.Parse(options.GetValueOrDefault("seconds", "10"), CultureInfo.InvariantCulture)));
FloodResult result = flood.Run(int.Parse(options["rate"], CultureInfo.InvariantCulture), stop.Token);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sent {result.Sent} cookie-replies {result.CookieReplies} seconds {result.Elapsed.TotalSeconds:F1}"));
