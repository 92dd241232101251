using System.Net;
using Taltun.Configuration;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Device;

/// <summary>Taltun's data plane against Debian's wireguard-go, each with a kernel TUN interface in its own namespace.</summary>
[Collection(InteropCollection.Name)]
public sealed class TunnelWireGuardGoTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PingAndTcpWorkWithWireGuardGo(bool taltunInitiates)
    {
        using var taltun = new TunnelHost("tt", "10.0.0.1");
        using var other = new NetworkNamespace("taltun-wg");
        NetworkNamespace.Connect(taltun.Namespace, "10.99.0.1/24", other, "10.99.0.2/24");
        WireGuardGo wireGuard = WireGuardGo.Start(other, "10.0.0.2/24", taltun.Key.PublicKey, "10.0.0.1/32", taltunInitiates ? null : "10.99.0.1:9000", presharedKey: null);
        taltun.Start([new PeerOptions
        {
            PublicKey = wireGuard.Key.PublicKey,
            Endpoint = taltunInitiates ? new IPEndPoint(IPAddress.Parse("10.99.0.2"), WireGuardGo.ListenPort) : null,
            AllowedIps = [IPNetwork.Parse("10.0.0.2/32")],
        }]);

        if (taltunInitiates)
        {
            Assert.Equal(3, taltun.Ping("10.0.0.2"));
        }
        else
        {
            Assert.Contains(" 0% packet loss", other.Exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.0.0.1"));
        }

        Assert.NotNull(taltun.Tunnel!.GetStatus().Peers[0].LatestHandshake);
        Assert.Contains("latest handshake", other.Exec("wg", "show", wireGuard.InterfaceName));

        double toWireGuard = Iperf.Run(other, taltun.Namespace, "10.0.0.2");
        double fromWireGuard = Iperf.Run(taltun.Namespace, other, "10.0.0.1");
        Assert.True(toWireGuard > 10e6, $"Taltun → wireguard-go {toWireGuard / 1e6:F0} Mbit/s");
        Assert.True(fromWireGuard > 10e6, $"wireguard-go → Taltun {fromWireGuard / 1e6:F0} Mbit/s");
    }
}
