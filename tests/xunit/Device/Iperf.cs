using System.Diagnostics;
using System.Text.Json;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Device;

/// <summary>iperf3 between two test namespaces: a one-off server in one, the client in the other.</summary>
internal static class Iperf
{
    /// <summary>Runs a TCP transfer to <paramref name="serverAddress"/> and returns the receiver's bits per second; throws with iperf3's words on failure.</summary>
    public static double Run(NetworkNamespace server, NetworkNamespace client, string serverAddress, double seconds = 2, bool reverse = false, int streams = 1, string? bytes = null, int? port = null) =>
        Measure(server, client, serverAddress, port, [
            "-P", streams.ToString(),
            .. bytes is null ? (string[])["-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)] : ["-n", bytes],
            .. reverse ? (string[])["-R"] : []])
        .GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();

    /// <summary>Sends UDP datagrams of <paramref name="length"/> bytes at <paramref name="bitsPerSecond"/> for <paramref name="seconds"/>; returns the percentage the receiver lost.</summary>
    public static double UdpLoss(NetworkNamespace server, NetworkNamespace client, string serverAddress, int length, string bitsPerSecond, double seconds = 3) =>
        Measure(server, client, serverAddress, null, ["-u", "-l", length.ToString(), "-b", bitsPerSecond, "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        .GetProperty("sum").GetProperty("lost_percent").GetDouble();

    /// <summary>Runs iperf3 with <paramref name="arguments"/> against a one-off server and returns its JSON "end" section.</summary>
    private static JsonElement Measure(NetworkNamespace server, NetworkNamespace client, string serverAddress, int? fixedPort, string[] arguments)
    {
        int port = fixedPort ?? 5201 + Random.Shared.Next(1000);
        Process process = server.Start("iperf3", "-s", "-1", "-B", serverAddress, "-p", port.ToString());
        try
        {
            string[] command = ["iperf3", "-c", serverAddress, "-p", port.ToString(), "-J", "--connect-timeout", "3000", .. arguments];
            (int exit, string output) = (1, string.Empty);
            var waited = Stopwatch.StartNew();
            while (true)
            {
                // The server needs a moment to listen; a refused connection is retried.
                (exit, output) = client.TryExec(command);
                if (!output.Contains("Connection refused") || waited.Elapsed > TimeSpan.FromSeconds(5))
                {
                    break;
                }

                Thread.Sleep(100);
            }

            if (exit != 0)
            {
                throw new InvalidOperationException($"iperf3 failed ({exit}): {output[..Math.Min(output.Length, 2000)]}");
            }

            using JsonDocument json = JsonDocument.Parse(output[..(output.LastIndexOf('}') + 1)]);
            if (json.RootElement.TryGetProperty("error", out JsonElement error))
            {
                throw new InvalidOperationException($"iperf3 failed: {error}");
            }

            return json.RootElement.GetProperty("end").Clone();
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            process.WaitForExit();
        }
    }
}
