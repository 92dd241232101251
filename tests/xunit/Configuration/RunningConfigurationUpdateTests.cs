using System.Net;
using Taltun.Configuration;
using Taltun.Crypto;

namespace Taltun.Tests.Configuration;

/// <summary>
/// Planning wg set's updates and wg syncconf's reloads on the running configuration: what
/// wireguard-go does line by line, checked whole and turned into peers removed, added and changed.
/// </summary>
public class RunningConfigurationUpdateTests
{
    private static readonly PrivateKey HubKey = PrivateKey.Generate();
    private static readonly PublicKey A = PrivateKey.Generate().PublicKey;
    private static readonly PublicKey B = PrivateKey.Generate().PublicKey;
    private static readonly PublicKey C = PrivateKey.Generate().PublicKey;

    [Fact]
    public void AnAllowedIpTakenFromAnotherPeerLeavesItsOwnerTheRest()
    {
        RunningConfiguration running = Hub(Peer(A, "10.9.0.2", "192.168.1.0/24"), Peer(B, "10.9.0.3"));

        ConfigurationDelta delta = running.Plan(new TunnelUpdate { Peers = [Add(B, "192.168.1.0/24")] }, UpdateNames.Uapi);
        running.Apply(delta);

        Assert.Equal([A, B], delta.Changed.Select(c => c.After.PublicKey).Order(KeyOrder));
        Assert.Empty(running.Find(A)!.AllowedIps);
        Assert.Equal(IPAddress.Parse("10.9.0.2"), running.Find(A)!.VirtualIP);
        Assert.Equal([Net("192.168.1.0/24")], running.Find(B)!.AllowedIps);
    }

    [Fact]
    public void ReplacingAllowedIpsKeepsTheVirtualIpOnlyIfItsHostPrefixStays()
    {
        RunningConfiguration running = Hub(Peer(A, "10.9.0.2", "192.168.1.0/24"));

        running.Apply(running.Plan(new TunnelUpdate { Peers = [new PeerUpdate { PublicKey = A, ReplaceAllowedIps = true, AllowedIps = [new(Net("10.9.0.2/32"), false), new(Net("172.16.0.0/16"), false)] }] }, UpdateNames.Uapi));
        Assert.Equal((IPAddress.Parse("10.9.0.2"), "172.16.0.0/16"), (running.Find(A)!.VirtualIP, string.Join(",", running.Find(A)!.AllowedIps)));

        ConfigurationDelta delta = running.Plan(new TunnelUpdate { Peers = [new PeerUpdate { PublicKey = A, AllowedIps = [new(Net("10.9.0.2/32"), true)] }] }, UpdateNames.Uapi);
        running.Apply(delta);
        Assert.Null(running.Find(A)!.VirtualIP);
        Assert.Equal([Net("172.16.0.0/16")], running.Find(A)!.AllowedIps);
    }

    [Fact]
    public void BlocksApplyInOrderAndSeeWhatEarlierBlocksDid()
    {
        RunningConfiguration running = Hub(Peer(A, "10.9.0.2"));

        // Create C, give it an address, then move that address on to B; remove A; an update_only
        // block for an unknown peer creates nothing.
        ConfigurationDelta delta = running.Plan(new TunnelUpdate
        {
            Peers =
            [
                Add(C, "10.9.0.7/32"),
                Add(B, "10.9.0.7/32"),
                new PeerUpdate { PublicKey = A, Remove = true },
                new PeerUpdate { PublicKey = PrivateKey.Generate().PublicKey, UpdateOnly = true, PersistentKeepalive = 5 },
            ],
        }, UpdateNames.Uapi);
        running.Apply(delta);

        Assert.Equal([A], delta.Removed);
        Assert.Equal([C, B], delta.Added.Select(a => a.After.PublicKey));
        Assert.Empty(running.Find(C)!.AllowedIps);
        Assert.Equal([Net("10.9.0.7/32")], running.Find(B)!.AllowedIps);
        Assert.Equal([C, B], running.Peers.Select(p => p.PublicKey));
        Assert.Contains(delta.Warnings, w => w.Contains($"Peer {C} owns no address"));
    }

    [Fact]
    public void AnUnchangedPeerIsNotInTheDelta()
    {
        RunningConfiguration running = Hub(Peer(A, "10.9.0.2", "192.168.1.0/24"));
        ConfigurationDelta delta = running.Plan(new TunnelUpdate { Peers = [Add(A, "192.168.1.0/24")] }, UpdateNames.Uapi);
        Assert.Empty(delta.Changed);
        Assert.Empty(delta.Added);
    }

    [Fact]
    public void ReplacePeersRemovesEveryPeerBeforeTheBlocks()
    {
        RunningConfiguration running = Hub(Peer(A, "10.9.0.2"), Peer(B, "10.9.0.3"));
        ConfigurationDelta delta = running.Plan(new TunnelUpdate { ReplacePeers = true, Peers = [Add(B, "10.9.0.3/32")] }, UpdateNames.Uapi);

        // B comes back as it was, so only A leaves; B's sessions are not touched.
        Assert.Equal([A], delta.Removed);
        Assert.Empty(delta.Added);
        Assert.Empty(delta.Changed);
    }

    [Fact]
    public void ABlockForTheTunnelsOwnKeyIsIgnoredAsWgDoes()
    {
        RunningConfiguration running = Hub(Peer(A, "10.9.0.2"));
        ConfigurationDelta delta = running.Plan(new TunnelUpdate { Peers = [Add(HubKey.PublicKey, "10.9.0.9/32")] }, UpdateNames.Uapi);
        Assert.Empty(delta.Added);
    }

    [Fact]
    public void ANewPrivateKeyRemovesThePeerThatHasItsPublicKey()
    {
        var newKey = PrivateKey.Generate();
        RunningConfiguration running = Hub(Peer(A, "10.9.0.2"), Peer(newKey.PublicKey, "10.9.0.3"));
        ConfigurationDelta delta = running.Plan(new TunnelUpdate { PrivateKey = newKey }, UpdateNames.Uapi);
        running.Apply(delta);

        Assert.Equal([newKey.PublicKey], delta.Removed);
        Assert.Same(newKey, running.PrivateKey);
        Assert.Contains(delta.Warnings, w => w.Contains("tunnel's new public key"));
    }

    [Fact]
    public void ARefusedUpdateNamesItsKeyAndChangesNothing()
    {
        RunningConfiguration running = Hub(Peer(A, "10.9.0.2"));
        TunnelConfiguration before = running.Snapshot();

        var keepalive = Assert.Throws<ConfigurationException>(() => running.Plan(new TunnelUpdate { Peers = [Add(B, "10.9.0.3/32"), new PeerUpdate { PublicKey = A, PersistentKeepalive = 70_000 }] }, UpdateNames.Uapi));
        Assert.Equal("persistent_keepalive_interval", keepalive.Key);
        var endpoint = Assert.Throws<ConfigurationException>(() => running.Plan(new TunnelUpdate { Peers = [new PeerUpdate { PublicKey = A, Endpoint = "no port" }] }, UpdateNames.Parameters));
        Assert.Equal("-Endpoint", endpoint.Key);
        var ownPrivate = Assert.Throws<ConfigurationException>(() => running.Plan(new TunnelUpdate { Peers = [new PeerUpdate { PublicKey = new PublicKey(HubKey.Span) }] }, UpdateNames.Uapi));
        Assert.Contains("own private key", ownPrivate.Message);

        TunnelConfiguration after = running.Snapshot();
        Assert.Equal(before.Peers.Count, after.Peers.Count);
        Assert.True(PeerConfiguration.SameSettings(before.Peers[0], after.Peers[0]));
        Assert.Null(running.Find(B));
    }

    [Fact]
    public void AClientsHubKeepsTheSubnetAndRoutes()
    {
        var config = new TunnelConfiguration
        {
            Mode = TunnelMode.Client,
            PrivateKey = HubKey,
            Addresses = [InterfaceAddress.Parse("10.9.0.5/24", 24, out _)!.Value],
            Routes = [Net("192.168.50.0/24")],
            Peers = [new PeerConfiguration { PublicKey = A, Endpoint = "192.0.2.1:9000" }],
        };
        var running = new RunningConfiguration(config);

        var error = Assert.Throws<ConfigurationException>(() => running.Plan(new TunnelUpdate { Peers = [new PeerUpdate { PublicKey = A, AllowedIps = [new(Net("192.168.50.0/24"), true)] }] }, UpdateNames.Uapi));
        Assert.Contains("client's hub", error.Message);
        error = Assert.Throws<ConfigurationException>(() => running.Plan(new TunnelUpdate { Peers = [Add(B, "10.9.0.0/24")] }, UpdateNames.Uapi));
        Assert.Contains("cannot move", error.Message);
    }

    [Fact]
    public void AReloadChangesOnlyWhatTheFileChanged()
    {
        var psk = PresharedKey.Generate();
        RunningConfiguration running = Hub(Peer(A, "10.9.0.2") with { Endpoint = "192.0.2.1:9000" }, Peer(B, "10.9.0.3"), Peer(C, "10.9.0.4"));
        TunnelConfiguration next = running.Snapshot() with
        {
            Mtu = 1380,
            ControlGroup = "vpn-ops",
            KeepWarm = true,
            Peers =
            [
                Peer(A, "10.9.0.2") with { Endpoint = "192.0.2.1:9000" },
                Peer(B, "10.9.0.3") with { PresharedKey = psk },
                Peer(PrivateKey.Generate().PublicKey, "10.9.0.9"),
            ],
        };

        ConfigurationDelta delta = running.PlanReload(next, next.ToOptions());

        Assert.Equal([C], delta.Removed);
        Assert.Equal([B], delta.Changed.Select(c => c.After.PublicKey));
        Assert.Single(delta.Added);
        Assert.Null(delta.ListenPort);
        Assert.Contains(delta.Warnings, w => w.StartsWith("mtu changed", StringComparison.Ordinal));
        Assert.Contains(delta.Warnings, w => w.StartsWith("control_group changed", StringComparison.Ordinal));
        Assert.Contains(delta.Warnings, w => w.StartsWith("keep_warm changed", StringComparison.Ordinal));
        running.Apply(delta);
        Assert.False(running.Snapshot().KeepWarm);
        Assert.Equal(TunnelOptions.DefaultMtu, running.Snapshot().Mtu);
        Assert.Null(running.Snapshot().ControlGroup);
    }

    private static readonly Comparer<PublicKey> KeyOrder = Comparer<PublicKey>.Create((x, y) => (x == A ? 0 : 1) - (y == A ? 0 : 1));

    private static RunningConfiguration Hub(params PeerConfiguration[] peers) => new(new TunnelConfiguration
    {
        PrivateKey = HubKey,
        Addresses = [InterfaceAddress.Parse("10.9.0.1/24", 24, out _)!.Value],
        Peers = peers,
    });

    private static PeerConfiguration Peer(PublicKey key, string vip, params string[] allowed) => new()
    {
        PublicKey = key,
        VirtualIP = IPAddress.Parse(vip),
        AllowedIps = [.. allowed.Select(Net)],
    };

    private static PeerUpdate Add(PublicKey key, params string[] prefixes) => new()
    {
        PublicKey = key,
        AllowedIps = [.. prefixes.Select(p => new AllowedIpChange(Net(p), false))],
    };

    private static IPNetwork Net(string text) => IPNetwork.Parse(text);
}
