using System.Diagnostics;
using Taltun.Crypto;

namespace Taltun.Tests.Interop;

/// <summary>
/// Debian's wireguard-go running inside a test namespace with a kernel TUN interface, configured
/// through `wg set` — the reference implementation Taltun's protocol is checked against.
/// </summary>
internal sealed class WireGuardGo
{
    public const int ListenPort = 51820;

    private WireGuardGo(string interfaceName, PrivateKey key)
    {
        InterfaceName = interfaceName;
        Key = key;
    }

    public string InterfaceName { get; }

    public PrivateKey Key { get; }

    /// <summary>Starts wireguard-go in <paramref name="ns"/> with <paramref name="tunnelAddress"/> and one peer.</summary>
    public static WireGuardGo Start(NetworkNamespace ns, string tunnelAddress, PublicKey peer, string peerAllowedIp, string? peerEndpoint, PresharedKey? presharedKey)
    {
        var key = PrivateKey.Generate();
        string name = $"twg{Random.Shared.Next(100_000)}";
        Process process = ns.Start("env", "WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1", "wireguard-go", "-f", name);
        string socket = $"/var/run/wireguard/{name}.sock";
        ns.DeleteOnDispose(socket);
        var waited = Stopwatch.StartNew();
        while (!File.Exists(socket))
        {
            if (process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"wireguard-go did not start: {process.StandardError.ReadToEnd()}");
            }

            Thread.Sleep(20);
        }

        string keyFile = Path.GetTempFileName();
        string pskFile = Path.GetTempFileName();
        try
        {
            File.WriteAllText(keyFile, key.ToBase64());
            File.WriteAllText(pskFile, presharedKey?.ToBase64() ?? "");
            var command = new List<string> { "wg", "set", name, "private-key", keyFile, "listen-port", ListenPort.ToString(), "peer", peer.ToBase64(), "allowed-ips", peerAllowedIp };
            if (peerEndpoint is not null)
            {
                command.AddRange(["endpoint", peerEndpoint]);
            }

            if (presharedKey is not null)
            {
                command.AddRange(["preshared-key", pskFile]);
            }

            ns.Exec([.. command]);
        }
        finally
        {
            File.Delete(keyFile);
            File.Delete(pskFile);
        }

        ns.Exec("ip", "address", "add", tunnelAddress, "dev", name);
        ns.Exec("ip", "link", "set", name, "up");
        return new WireGuardGo(name, key);
    }
}
