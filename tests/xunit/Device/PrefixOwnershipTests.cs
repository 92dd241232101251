using System.Net;
using Taltun.Configuration;
using Taltun.Crypto;
using Taltun.Foundation;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Device;

/// <summary>A prefix belongs to one peer at a time; the kernel route for it follows the prefix, not the peers that ever held it.</summary>
[Collection(InteropCollection.Name)]
public sealed class PrefixOwnershipTests
{
    [Fact]
    public void AMovedPrefixKeepsOneKernelRouteThatLeavesWithItsLastOwner()
    {
        using var host = new TunnelHost("moves", "10.0.0.1");
        using var first = PrivateKey.Generate();
        using var second = PrivateKey.Generate();
        Taltun.Device.Tunnel tunnel = host.Start([Peer(first, "10.0.0.2/32", "192.168.7.0/24")]);

        var refused = Assert.Throws<TunnelException>(() => tunnel.AddPeer(Peer(second, "10.0.0.3/32", "192.168.7.0/24")));
        Assert.Contains($"192.168.7.0/24 already belongs to peer {first.PublicKey}", refused.Message);
        Assert.Single(tunnel.GetStatus().Peers);

        tunnel.AddPeer(Peer(second, "10.0.0.3/32", "192.168.7.0/24"), movePrefixes: true);

        Assert.Contains($"Allowed IP 192.168.7.0/24 moved from peer {first.PublicKey} to peer {second.PublicKey}.", tunnel.Log.Entries.Select(e => e.Message));
        Assert.Equal(["10.0.0.2/32"], Prefixes(tunnel, first));
        Assert.Equal(["10.0.0.3/32", "192.168.7.0/24"], Prefixes(tunnel, second));
        Assert.True(tunnel.RemovePeer(first.PublicKey));
        Assert.Contains("192.168.7.0/24 dev tun0", host.Namespace.Exec("ip", "route", "show"));
        Assert.True(tunnel.RemovePeer(second.PublicKey));
        Assert.DoesNotContain("192.168.7.0/24", host.Namespace.Exec("ip", "route", "show"));
    }

    private static PeerOptions Peer(PrivateKey key, params string[] allowed) => new()
    {
        PublicKey = key.PublicKey,
        AllowedIps = [.. allowed.Select(IPNetwork.Parse)],
    };

    private static IEnumerable<string> Prefixes(Taltun.Device.Tunnel tunnel, PrivateKey peer) =>
        tunnel.GetStatus().Peers.Single(p => p.PublicKey == peer.PublicKey).AllowedIps.Select(a => a.ToString());
}
