using Taltun.Configuration;
using Taltun.Device;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Device;

/// <summary>Tunnels started from wg-quick files, in test namespaces: a full tunnel as wg-quick routes it, Table = off, FwMark.</summary>
[Collection(InteropCollection.Name)]
public sealed class WgQuickTunnelTests : IDisposable
{
    private readonly TunnelHost _hub = new("wqhub", "10.0.0.1");
    private readonly TunnelHost _client = new("wqcli", "10.0.0.2");

    public WgQuickTunnelTests()
    {
        // The hub's public address (172.20.0.1) lies beyond the client's LAN, behind its gateway.
        NetworkNamespace.Connect(_hub.Namespace, "10.98.0.1/30", _client.Namespace, "10.98.0.2/30");
        _hub.Namespace.Exec("ip", "address", "add", "172.20.0.1/32", "dev", "lo");
        _client.Namespace.Exec("ip", "route", "add", "default", "via", "10.98.0.1");
        _hub.Start([_client.AsPeer(null, "10.0.0.2/32")]);
    }

    [Fact]
    public void AllowedIPsOfEverythingMakeAFullTunnelThatKeepsTheLanAndTheHubsPath()
    {
        Tunnel tunnel = StartClient("AllowedIPs = 0.0.0.0/0");

        string table = _client.Namespace.Exec("ip", "route", "show");
        Assert.Contains("0.0.0.0/1 dev wg0", table);
        Assert.Contains("128.0.0.0/1 dev wg0", table);
        Assert.Contains("default via 10.98.0.1", table);
        Assert.Contains("via 10.98.0.1", _client.Namespace.Exec("ip", "route", "get", "172.20.0.1"));
        Assert.Contains("dev wg0", _client.Namespace.Exec("ip", "route", "get", "8.8.8.8"));
        Assert.DoesNotContain(tunnel.Log.Entries, e => e.Message.Contains("No kernel route", StringComparison.Ordinal));
        Assert.Equal(3, _client.Ping("10.0.0.1"));

        tunnel.Stop();
        Assert.DoesNotContain("dev wg0", _client.Namespace.Exec("ip", "route", "show"));
        Assert.DoesNotContain("172.20.0.1", _client.Namespace.Exec("ip", "route", "show"));
    }

    [Fact]
    public void TableOffAddsNoRoutesButTheSubnetOfTheAddress()
    {
        Tunnel tunnel = StartClient("AllowedIPs = 10.0.0.0/24, 192.168.40.0/24, 0.0.0.0/0", "Table = off");

        string table = _client.Namespace.Exec("ip", "route", "show", "dev", "wg0");
        Assert.Equal("10.0.0.0/24 proto kernel scope link src 10.0.0.2", table.Trim());
        Assert.Equal(3, _client.Ping("10.0.0.1"));
        tunnel.Stop();
    }

    [Fact]
    public void FwMarkMarksTheTunnelsOwnPackets()
    {
        _client.Namespace.Exec("nft", "add table inet q15mark; add chain inet q15mark out { type filter hook output priority 0; }; add rule inet q15mark out udp dport 9000 meta mark 0x2a counter");
        Tunnel tunnel = StartClient("AllowedIPs = 10.0.0.0/24", "FwMark = 0x2a");

        Assert.Equal(3, _client.Ping("10.0.0.1"));
        string counted = _client.Namespace.Exec("nft", "list chain inet q15mark out");
        Assert.Matches(@"meta mark 0x0000002a counter packets [1-9]", counted);
        tunnel.Stop();
    }

    public void Dispose()
    {
        _client.Dispose();
        _hub.Dispose();
    }

    private Tunnel StartClient(string allowedIps, string interfaceLine = "")
    {
        string text = $"""
            [Interface]
            PrivateKey = {_client.Key.ToBase64()}
            Address = 10.0.0.2/24
            {interfaceLine}

            [Peer]
            PublicKey = {_hub.Key.PublicKey}
            {allowedIps}
            Endpoint = 172.20.0.1:9000
            PersistentKeepalive = 25
            """;
        TunnelOptions options = ConfigurationFile.Parse(text, "/etc/wireguard/wg0.conf").ToOptions() with { NetworkNamespace = _client.Namespace.Name, ReceiveThreads = 2 };
        return Tunnel.Start(options);
    }
}
