using System.Net;
using Taltun.Configuration;
using Taltun.Control;
using Taltun.Crypto;
using Taltun.Foundation;
using Taltun.Tests.Device;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Control;

/// <summary>
/// A Taltun hub's control socket driven by Debian's wg, as an operator would: show, set, showconf,
/// syncconf, addconf, listen port and key changes, and the errno of a refused set. A spoke in
/// its own namespace keeps a session with the hub throughout; tunnels live in test namespaces.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class ControlSocketTests : IDisposable
{
    private readonly TunnelHost _hub = new("tcshub", "10.0.0.1");
    private readonly TunnelHost _spoke = new("tcsspk", "10.0.0.2");
    private readonly string _name = $"tcs{Random.Shared.Next(100_000)}";
    private readonly ControlServer _server;

    public ControlSocketTests()
    {
        NetworkNamespace.Connect(_hub.Namespace, "10.97.0.1/24", _spoke.Namespace, "10.97.0.2/24");
        _hub.Start([_spoke.AsPeer(null, "10.0.0.2/32")], name: _name);
        _spoke.Start([_hub.AsPeer("10.97.0.1:9000", "10.0.0.0/24")]);
        _server = ControlServer.Start(new TunnelControl(_hub.Tunnel!, _hub.Namespace.Name), new ControlOptions());
        Assert.Equal(3, _spoke.Ping("10.0.0.1"));
    }

    [Fact]
    public void WgShowDumpListsTheTunnelAndItsPeersAsForAnyWireGuardInterface()
    {
        string[] dump = Wg("show", _name, "dump").Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal([_hub.Key.ToBase64(), _hub.Key.PublicKey.ToBase64(), "9000", "off"], dump[0].Split('\t'));
        string[] peer = dump[1].Split('\t');
        Assert.Equal(_spoke.Key.PublicKey.ToBase64(), peer[0]);
        Assert.Equal("(none)", peer[1]);
        Assert.Equal("10.97.0.2:9000", peer[2]);
        Assert.Equal("10.0.0.2/32", peer[3]);
        Assert.InRange(long.Parse(peer[4]), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.True(long.Parse(peer[5]) > 0 && long.Parse(peer[6]) > 0, "rx and tx bytes are counted");
        Assert.Equal("off", peer[7]);
        Assert.Contains(_name, Wg("show", "interfaces").Split());
    }

    [Fact]
    public void WgSetAddsChangesAndRemovesPeersWhileTheSpokesSessionLasts()
    {
        DateTimeOffset session = SpokeHandshake();
        var newcomer = PrivateKey.Generate().PublicKey.ToBase64();

        Wg("set", _name, "peer", newcomer, "allowed-ips", "10.0.0.50/32,192.168.60.0/24", "persistent-keepalive", "25", "endpoint", "10.97.0.9:9000");
        Assert.Contains("192.168.60.0/24 dev " + _name, _hub.Namespace.Exec("ip", "route", "show"));
        PeerConfiguration added = _hub.Tunnel!.FindPeerConfiguration(PublicKey.Parse(newcomer))!;
        Assert.Equal((25, "10.97.0.9:9000"), (added.PersistentKeepalive, added.Endpoint));

        // The spoke gains a network and keeps its session: no new handshake, traffic still flows.
        Wg("set", _name, "peer", _spoke.Key.PublicKey.ToBase64(), "allowed-ips", "10.0.0.2/32,192.168.70.0/24");
        Assert.Contains("192.168.70.0/24 dev " + _name, _hub.Namespace.Exec("ip", "route", "show"));
        Assert.Equal([IPNetwork.Parse("10.0.0.2/32"), IPNetwork.Parse("192.168.70.0/24")], _hub.Tunnel.FindPeerConfiguration(_spoke.Key.PublicKey)!.AllowedIps);
        Assert.Equal(3, _spoke.Ping("10.0.0.1"));
        Assert.Equal(session, SpokeHandshake());

        Wg("set", _name, "peer", newcomer, "remove");
        Assert.Null(_hub.Tunnel.FindPeerConfiguration(PublicKey.Parse(newcomer)));
        Assert.DoesNotContain("192.168.60.0/24", _hub.Namespace.Exec("ip", "route", "show"));
        Assert.Equal([_spoke.Key.PublicKey.ToBase64()], Wg("show", _name, "peers").Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void WgSyncconfAppliesAFileAndLeavesUnchangedPeersAlone()
    {
        DateTimeOffset session = SpokeHandshake();
        string conf = Wg("showconf", _name);
        Assert.Contains($"PrivateKey = {_hub.Key.ToBase64()}", conf);
        Assert.Contains("ListenPort = 9000", conf);
        Assert.Contains($"PublicKey = {_spoke.Key.PublicKey.ToBase64()}", conf);

        string newcomer = PrivateKey.Generate().PublicKey.ToBase64();
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, conf + $"\n[Peer]\nPublicKey = {newcomer}\nAllowedIPs = 10.0.0.60/32\n");
            Wg("syncconf", _name, file);
            Assert.NotNull(_hub.Tunnel!.FindPeerConfiguration(PublicKey.Parse(newcomer)));
            Assert.Equal(session, SpokeHandshake());
            Assert.Equal(3, _spoke.Ping("10.0.0.1"));

            File.WriteAllText(file, conf);
            Wg("syncconf", _name, file);
            Assert.Null(_hub.Tunnel.FindPeerConfiguration(PublicKey.Parse(newcomer)));

            File.WriteAllText(file, $"[Peer]\nPublicKey = {newcomer}\nAllowedIPs = 10.0.0.61/32\n");
            Wg("addconf", _name, file);
            Assert.Equal([IPNetwork.Parse("10.0.0.61/32")], _hub.Tunnel.FindPeerConfiguration(PublicKey.Parse(newcomer))!.AllowedIps);
            Assert.Equal(session, SpokeHandshake());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void ANewListenPortKeepsTheTunnelReachableAndANewKeyChangesItsIdentity()
    {
        Wg("set", _name, "listen-port", "9100");
        Assert.Equal("9100", Wg("show", _name, "listen-port").Trim());
        Assert.Equal(9100, _hub.Tunnel!.ListenPort);

        // The hub speaks first from its new port; the spoke follows it there, as WireGuard roams.
        Assert.Equal(3, _hub.Ping("10.0.0.2"));
        Assert.Equal(3, _spoke.Ping("10.0.0.1"));

        var key = PrivateKey.Generate();
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, key.ToBase64());
            Wg("set", _name, "private-key", file);
        }
        finally
        {
            File.Delete(file);
        }

        Assert.Equal(key.PublicKey.ToBase64(), Wg("show", _name, "public-key").Trim());
        Assert.Equal(key.PublicKey, _hub.Tunnel.PublicKey);
    }

    [Fact]
    public void ARefusedSetAnswersWithItsErrnoAndChangesNothing()
    {
        var client = new ControlClient(_name, _server.Path);
        string newcomer = PrivateKey.Generate().PublicKey.ToHex();

        // A good peer block, then a bad line: the whole request is refused, the good block included.
        Assert.Equal("errno=-22\n\n", client.Uapi($"set=1\npublic_key={newcomer}\nallowed_ip=10.0.0.70/32\npublic_key=zz\n\n"));
        Assert.Equal("errno=-71\n\n", client.Uapi("set=1\nnonsense\n\n"));
        Assert.Null(_hub.Tunnel!.FindPeerConfiguration(new PublicKey(Convert.FromHexString(newcomer))));
        Assert.Contains(_hub.Tunnel.Log.Entries, e => e.Message.Contains("errno=-22", StringComparison.Ordinal));
        Assert.StartsWith($"private_key={_hub.Key.ToHex()}\nlisten_port=9000\npublic_key={_spoke.Key.PublicKey.ToHex()}\npreshared_key={new string('0', 64)}\nprotocol_version=1\n", client.Uapi("get=1\n\n"));
    }

    [Fact]
    public void ANameServedByALiveTunnelIsRefusedAndADeadOnesSocketIsReplaced()
    {
        var error = Assert.Throws<TunnelException>(() => ControlServer.CheckFree(_name, new ControlOptions()));
        Assert.Equal(TunnelError.ControlSocket, error.Error);
        Assert.Contains($"pid {Environment.ProcessId}", error.Message);
        Assert.Throws<TunnelException>(() => ControlServer.Start(new TunnelControl(_hub.Tunnel!, null), new ControlOptions()));

        // A socket file nobody listens on (its process was killed) is taken over; no file at all is free.
        string dead = Path.Combine(ControlOptions.DefaultDirectory, $"tcd{Random.Shared.Next(100_000)}.sock");
        ControlServer.CheckFree(Path.GetFileNameWithoutExtension(dead), new ControlOptions());
        DeadSocket.Leave(dead);

        try
        {
            Assert.True(File.Exists(dead));
            ControlServer.CheckFree(Path.GetFileNameWithoutExtension(dead), new ControlOptions());
        }
        finally
        {
            File.Delete(dead);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_server.Path));
    }

    [Fact]
    public void TheSocketGoesWithTheTunnel()
    {
        _hub.Tunnel!.Stop();
        Assert.False(File.Exists(_server.Path));
    }

    public void Dispose()
    {
        _server.Dispose();
        _spoke.Dispose();
        _hub.Dispose();
    }

    /// <summary>A bound socket closed without unlinking its file, as a killed process leaves one (.NET's own Socket removes the file).</summary>
    private DateTimeOffset SpokeHandshake() => _hub.Tunnel!.GetPeerStatus(_spoke.Key.PublicKey)!.LatestHandshake!.Value;

    private string Wg(params string[] arguments) => _hub.Namespace.Exec(["wg", .. arguments]);
}
