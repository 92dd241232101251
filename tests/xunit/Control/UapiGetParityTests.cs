using System.Diagnostics;
using System.Net;
using Taltun.Configuration;
using Taltun.Control;
using Taltun.Crypto;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Control;

/// <summary>
/// Taltun's <c>get=1</c> reply against wireguard-go's, byte for byte: Debian's wireguard-go and a
/// Taltun tunnel, each alone in a namespace of its own (loopback only, so no packet leaves and
/// every counter stays zero), get the same key, port, firewall mark and peers, and both replies
/// are read raw from their sockets. wireguard-go lists its peers in Go's map order, which is
/// random, so the peers are compared block by block, each whole and in its own line order.
/// Keepalives go only to peers without an endpoint: Taltun counts a handshake it sends in
/// tx_bytes even when the kernel refuses to send it (no route here), wireguard-go only once sent.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class UapiGetParityTests : IDisposable
{
    private readonly NetworkNamespace _goSide = new("cta-wgo");
    private readonly NetworkNamespace _taltunSide = new("cta-tal");
    private readonly PrivateKey _key = PrivateKey.Generate();
    private readonly string _goName = $"ctawg{Random.Shared.Next(100_000)}";
    private readonly string _taltunName = $"ctatl{Random.Shared.Next(100_000)}";
    private readonly string _directory = ControlTestDirectory.Create();
    private Taltun.Device.Tunnel? _tunnel;
    private ControlServer? _server;

    [Fact]
    public void GetAnswersLineForLineAsWireGuardGoDoes()
    {
        using var presharedKey = PresharedKey.Generate();
        PeerConfiguration[] peers =
        [
            // Allowed IPs out of order, one with host bits set (both store it masked).
            Peer(presharedKey, "192.0.2.1:51820", 0, "10.10.1.7/32", "fd00:1::/64", "10.10.0.9/24"),
            Peer(null, "[2001:db8::1]:4500", 0, "10.20.0.0/16", "0.0.0.0/0"),
            Peer(null, "[2001:db8:0:0:1:0:0:1]:65535", 0, "2001:db8:0:1::/64"),
            Peer(null, null, 25, "10.30.0.1/32", "fd00:2::1/128"),
            Peer(null, null, 65535, "10.40.0.0/24"),
        ];

        string go = WireGuardGoGet(peers, firewallMark: 51820);
        string taltun = TaltunGet(peers, firewallMark: 51820);

        Assert.EndsWith("errno=0\n\n", go);
        Assert.EndsWith("errno=0\n\n", taltun);
        (string goDevice, Dictionary<string, string> goPeers) = Split(go);
        (string taltunDevice, Dictionary<string, string> taltunPeers) = Split(taltun);
        Assert.Equal(goDevice, taltunDevice);
        Assert.Equal(goPeers.Keys.Order(), taltunPeers.Keys.Order());
        foreach ((string publicKey, string block) in goPeers)
        {
            Assert.Equal(block, taltunPeers[publicKey]);
        }

        Assert.StartsWith($"private_key={_key.ToHex()}\nlisten_port={WireGuardGo.ListenPort}\nfwmark=51820\npublic_key=", taltun);
    }

    [Fact]
    public void WithoutAFirewallMarkOrPeersBothWriteOnlyKeyAndPort()
    {
        string go = WireGuardGoGet([], firewallMark: 0);
        string taltun = TaltunGet([], firewallMark: 0);

        Assert.Equal($"private_key={_key.ToHex()}\nlisten_port={WireGuardGo.ListenPort}\nerrno=0\n\n", go);
        Assert.Equal(go, taltun);
    }

    public void Dispose()
    {
        _server?.Dispose();
        _tunnel?.Stop();
        _goSide.Dispose();
        _taltunSide.Dispose();
        _key.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static PeerConfiguration Peer(PresharedKey? presharedKey, string? endpoint, int keepalive, params string[] allowedIps) => new()
    {
        PublicKey = PrivateKey.Generate().PublicKey,
        PresharedKey = presharedKey,
        Endpoint = endpoint,
        PersistentKeepalive = keepalive,
        AllowedIps = [.. allowedIps.Select(IPNetwork.Parse)],
    };

    /// <summary>wireguard-go configured over its own socket with a raw set=1 (the interface left down, as no test needs it up).</summary>
    private string WireGuardGoGet(IReadOnlyList<PeerConfiguration> peers, uint firewallMark)
    {
        Process process = _goSide.Start("env", "WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1", "wireguard-go", "-f", _goName);
        string socket = ControlServer.PathOf(ControlOptions.DefaultDirectory, _goName);
        _goSide.DeleteOnDispose(socket);
        var waited = Stopwatch.StartNew();
        while (!File.Exists(socket))
        {
            Assert.False(process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(10), "wireguard-go did not start");
            Thread.Sleep(20);
        }

        var set = new System.Text.StringBuilder($"set=1\nprivate_key={_key.ToHex()}\nlisten_port={WireGuardGo.ListenPort}\nfwmark={firewallMark}\n");
        foreach (PeerConfiguration peer in peers)
        {
            set.Append($"public_key={peer.PublicKey.ToHex()}\n");
            if (peer.PresharedKey is { } psk)
            {
                set.Append($"preshared_key={psk.ToHex()}\n");
            }

            if (peer.Endpoint is { } endpoint)
            {
                set.Append($"endpoint={endpoint}\n");
            }

            set.Append($"persistent_keepalive_interval={peer.PersistentKeepalive}\n");
            foreach (IPNetwork prefix in peer.AllowedIps)
            {
                set.Append($"allowed_ip={prefix}\n");
            }
        }

        var client = new ControlClient(_goName, socket, TimeSpan.FromSeconds(10));
        Assert.Equal("errno=0\n\n", client.Uapi(set.Append('\n').ToString()));
        return client.Uapi("get=1\n\n");
    }

    /// <summary>A Taltun tunnel in peer mode (plain WireGuard, as wg-quick runs one), started from a configuration as the module starts one.</summary>
    private string TaltunGet(IReadOnlyList<PeerConfiguration> peers, uint firewallMark)
    {
        var config = new TunnelConfiguration
        {
            Mode = TunnelMode.Peer,
            InterfaceName = _taltunName,
            PrivateKey = _key,
            Addresses = [new InterfaceAddress(IPAddress.Parse("10.99.0.1"), 24)],
            ListenEndPoint = new IPEndPoint(IPAddress.Any, WireGuardGo.ListenPort),
            FirewallMark = firewallMark,
            Peers = peers,
        };
        TunnelOptions options = config.ToOptions() with { ReceiveThreads = 1 };
        _tunnel = _taltunSide.Invoke(() => Taltun.Device.Tunnel.Start(options));
        _server = ControlServer.Start(new TunnelControl(_tunnel, _taltunSide.Name), new ControlOptions { Directory = _directory });
        return new ControlClient(_taltunName, _server.Path, TimeSpan.FromSeconds(10)).Uapi("get=1\n\n");
    }

    /// <summary>The device's lines (with the errno) and each peer's block of lines by its public key.</summary>
    private static (string Device, Dictionary<string, string> Peers) Split(string reply)
    {
        int errno = reply.LastIndexOf("errno=", StringComparison.Ordinal);
        string[] blocks = reply[..errno].Split("public_key=");
        var peers = new Dictionary<string, string>();
        foreach (string block in blocks.Skip(1))
        {
            peers.Add(block[..64], block);
        }

        string device = blocks[0] + reply[errno..];
        return (device, peers);
    }
}
