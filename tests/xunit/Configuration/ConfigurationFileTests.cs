using System.Net;
using Taltun.Configuration;
using Taltun.Crypto;

namespace Taltun.Tests.Configuration;

public sealed class ConfigurationFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("taltun-config-").FullName;
    private readonly PrivateKey _key = PrivateKey.Generate();
    private readonly PublicKey _peer = PrivateKey.Generate().PublicKey;

    [Fact]
    public void TheSeedsExampleLoadsAsWrittenWithPublicKeysAdded()
    {
        string path = Write($"""
            # config.toml
            [interface]
            mode = "server"             # client | server
            tun_name = "tun0"           # Nombre interfaz
            vip = "10.0.0.1"            # IP VPN
            local_addr = "0.0.0.0:9000" # Puerto UDP escucha
            private_key = "{_key.ToHex()}"

            # Rutas Estáticas (Kernel Injection)
            routes = ["192.168.50.0/24"]

            # Lista de Peers (Clientes o Servidores)
            [[peers]]
            vip = "10.0.0.2"
            public_key = "{_peer}"
            # endpoint = "x.x.x.x:9000" # Opcional si es dinámico
            """);

        TunnelConfiguration config = ConfigurationFile.Load(path);
        TunnelOptions options = config.ToOptions();

        Assert.Equal(TunnelMode.Server, config.Mode);
        Assert.Equal("tun0", options.InterfaceName);
        Assert.Equal(new InterfaceAddress(IPAddress.Parse("10.0.0.1"), 24), Assert.Single(options.Addresses));
        Assert.Equal(new IPEndPoint(IPAddress.Any, 9000), options.ListenEndPoint);
        Assert.Equal(1420, options.Mtu);
        Assert.True(options.ClampMss);
        Assert.Equal([IPNetwork.Parse("192.168.50.0/24")], options.Routes);
        PeerOptions peer = Assert.Single(options.Peers);
        Assert.Equal(_peer, peer.PublicKey);
        Assert.Null(peer.Endpoint);
        Assert.Equal([IPNetwork.Parse("10.0.0.2/32")], peer.AllowedIps);
        Assert.Equal(TimeSpan.Zero, peer.PersistentKeepalive);
    }

    [Fact]
    public void AClientRoutesTheSubnetAndItsRoutesThroughItsHubAndKeepsItAlive()
    {
        string path = Write($"""
            [interface]
            mode = "client"
            vip = "10.0.0.2/24"
            private_key = "{_key.ToBase64()}"
            routes = ["0.0.0.0/1", "128.0.0.0/1"]

            [[peers]]
            vip = "10.0.0.1"
            public_key = "{_peer}"
            endpoint = "198.51.100.1:9000"
            """);

        PeerOptions hub = Assert.Single(ConfigurationFile.Load(path).ToOptions().Peers);

        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 9000), hub.Endpoint);
        Assert.Equal(["10.0.0.1/32", "10.0.0.0/24", "0.0.0.0/1", "128.0.0.0/1"], hub.AllowedIps.Select(a => a.ToString()));
        Assert.Equal(TimeSpan.FromSeconds(25), hub.PersistentKeepalive);
    }

    [Theory]
    [InlineData("mtu = \"big\"", 4, "interface.mtu", "whole number")]
    [InlineData("mtu = 100", 4, "interface.mtu", "out of range")]
    [InlineData("colour = \"blue\"", 4, "interface.colour", "unknown key")]
    [InlineData("routes = [\"192.168.50.1/24\"]", 4, "interface.routes", "192.168.50.0/24")]
    [InlineData("routes = \"10.0.0.0/8\"", 4, "interface.routes", "list of strings")]
    [InlineData("local_addr = \"0.0.0.0\"", 4, "interface.local_addr", "address:port")]
    [InlineData("mode = \"hub\"", 4, "interface.mode", "\"client\" (a spoke) or \"peer\"")]
    [InlineData("vip = \"10.0.0.300\"", 4, "interface.vip", "not an IP address")]
    [InlineData("mss_clamping = \"no\"", 4, "interface.mss_clamping", "true or false")]
    [InlineData("keep_warm = 1", 4, "interface.keep_warm", "true or false")]
    public void ABadInterfaceValueNamesFileLineAndKey(string line, int lineNumber, string key, string hint)
    {
        string path = Write($"""
            [interface]
            vip = "10.0.0.1"
            private_key = "{_key.ToBase64()}"
            {line}
            """.Replace("vip = \"10.0.0.1\"\n", line.StartsWith("vip", StringComparison.Ordinal) ? "\n" : "vip = \"10.0.0.1\"\n"));

        var error = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Load(path));

        Assert.Equal(path, error.File);
        Assert.Equal(lineNumber, error.Line);
        Assert.Equal(key, error.Key);
        Assert.StartsWith($"{path}:{lineNumber}: {key}: ", error.Message);
        Assert.Contains(hint, error.Message);
    }

    [Fact]
    public void AMalformedPrivateKeyIsNamedWithoutBeingRepeated()
    {
        string secretish = _key.ToBase64()[..40] + "!!!=";
        string path = Write($"""
            [interface]
            vip = "10.0.0.1"
            private_key = "{secretish}"
            """);

        var error = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Load(path));

        Assert.Equal(3, error.Line);
        Assert.Equal("interface.private_key", error.Key);
        Assert.DoesNotContain(secretish[..20], error.Message);
    }

    [Fact]
    public void PeerErrorsNameTheEntryAndLine()
    {
        string other = PrivateKey.Generate().PublicKey.ToBase64();
        string head = $"""
            [interface]
            vip = "10.0.0.1"
            private_key = "{_key.ToBase64()}"

            """;

        var missing = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Load(Write(head + "[[peers]]\nvip = \"10.0.0.2\"\n")));
        Assert.Equal((4, "peers[1].public_key"), (missing.Line, missing.Key));

        var duplicateKey = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Load(Write(head + $"[[peers]]\npublic_key = \"{other}\"\nvip = \"10.0.0.2\"\n[[peers]]\npublic_key = \"{other}\"\nvip = \"10.0.0.3\"\n")).ToOptions());
        Assert.Equal((7, "peers[2].public_key"), (duplicateKey.Line, duplicateKey.Key));

        var ownVip = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Load(Write(head + $"[[peers]]\npublic_key = \"{other}\"\nvip = \"10.0.0.1\"\n")).ToOptions());
        Assert.Equal((4, "peers[1].vip"), (ownVip.Line, ownVip.Key));
        Assert.Contains("10.0.0.1 is this tunnel's own address", ownVip.Message);

        var duplicateVip = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Load(Write(head + $"[[peers]]\npublic_key = \"{_peer}\"\nvip = \"10.0.0.2\"\n[[peers]]\npublic_key = \"{other}\"\nvip = \"10.0.0.2\"\n")).ToOptions());
        Assert.Equal((7, "peers[2].vip"), (duplicateVip.Line, duplicateVip.Key));
        Assert.Contains($"10.0.0.2/32 already belongs to peer {_peer} (10.0.0.2)", duplicateVip.Message);

        var badAllowed = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Load(Write(head + $"[[peers]]\npublic_key = \"{other}\"\nallowed_ips = [\"nope\"]\n")));
        Assert.Equal((6, "peers[1].allowed_ips"), (badAllowed.Line, badAllowed.Key));

        var own = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Load(Write(head + $"[[peers]]\npublic_key = \"{_key.PublicKey}\"\nvip = \"10.0.0.2\"\n")).ToOptions());
        Assert.Contains("own public key", own.Message);
    }

    [Fact]
    public void SyntaxErrorsAndMisplacedKeysNameTheirLine()
    {
        var syntax = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Load(Write("[interface]\nvip = \"10.0.0.1\"\nmtu = \n")));
        Assert.Equal((3, "syntax"), (syntax.Line, syntax.Key));

        var root = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Load(Write("vip = \"10.0.0.1\"\n[interface]\n")));
        Assert.Equal(1, root.Line);
        Assert.Contains("[interface]", root.Message);

        var table = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Load(Write("[interface]\n[peer]\n")));
        Assert.Equal((2, "peer"), (table.Line, table.Key));

        var twice = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Load(Write("[interface]\nmtu = 1400\nmtu = 1300\n")));
        Assert.Equal(3, twice.Line);
    }

    [Fact]
    public void MissingEssentialsAreNamed()
    {
        var noKey = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Load(Write("[interface]\nvip = \"10.0.0.1\"\n")).ToOptions());
        Assert.Equal("interface.private_key", noKey.Key);

        var noVip = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Load(Write($"[interface]\nprivate_key = \"{_key.ToBase64()}\"\n")).ToOptions());
        Assert.Equal("interface.vip", noVip.Key);

        var clientWithoutHub = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Load(Write(
            $"[interface]\nmode = \"client\"\nvip = \"10.0.0.2\"\nprivate_key = \"{_key.ToBase64()}\"\n[[peers]]\npublic_key = \"{_peer}\"\n")).ToOptions());
        Assert.Contains("endpoint", clientWithoutHub.Message);
    }

    [Fact]
    public void APrivateKeyReadableByOthersDrawsAWarning()
    {
        string path = Write($"[interface]\nvip = \"10.0.0.1\"\nprivate_key = \"{_key.ToBase64()}\"\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        Assert.Contains(ConfigurationFile.Load(path).Warnings, w => w.Contains("chmod 600"));

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Empty(ConfigurationFile.Load(path).Warnings);

        string keyFile = Path.Combine(_directory, "hub.key");
        File.WriteAllText(keyFile, _key.ToHex());
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        TunnelConfiguration fromFile = ConfigurationFile.Load(Write("[interface]\nvip = \"10.0.0.1\"\nprivate_key_file = \"hub.key\"\n"));
        Assert.Equal(_key, fromFile.PrivateKey);
        Assert.Contains(fromFile.Warnings, w => w.Contains(keyFile));
    }

    [Fact]
    public void SavedConfigurationLoadsBackTheSameAndIsPrivate()
    {
        using var psk = PresharedKey.Generate();
        var config = new TunnelConfiguration
        {
            Mode = TunnelMode.Client,
            InterfaceName = "tt1",
            Addresses = [new InterfaceAddress(IPAddress.Parse("10.0.0.7"), 24), new InterfaceAddress(IPAddress.Parse("fd00::7"), 64)],
            ListenEndPoint = IPEndPoint.Parse("0.0.0.0:9100"),
            PrivateKey = _key,
            Mtu = 1380,
            Routes = [IPNetwork.Parse("192.168.50.0/24")],
            MssClamping = false,
            KeepWarm = true,
            Peers = [new PeerConfiguration { PublicKey = _peer, VirtualIP = IPAddress.Parse("10.0.0.1"), Endpoint = "hub.example:9000", AllowedIps = [IPNetwork.Parse("172.16.0.0/12")], PersistentKeepalive = 15, PresharedKey = psk }],
        };
        string path = Path.Combine(_directory, "saved.toml");

        ConfigurationFile.Save(config, path);
        TunnelConfiguration loaded = ConfigurationFile.Load(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(config.Mode, loaded.Mode);
        Assert.Equal(config.InterfaceName, loaded.InterfaceName);
        Assert.Equal(config.Addresses, loaded.Addresses);
        Assert.Equal(config.ListenEndPoint, loaded.ListenEndPoint);
        Assert.Equal(config.PrivateKey, loaded.PrivateKey);
        Assert.Equal(config.Mtu, loaded.Mtu);
        Assert.Equal(config.Routes, loaded.Routes);
        Assert.False(loaded.MssClamping);
        Assert.True(loaded.KeepWarm);
        string server = $"[interface]\nvip = \"10.0.0.1\"\nprivate_key = \"{_key.ToBase64()}\"\n";
        Assert.True(ConfigurationFile.Load(Write(server + "keep_warm = true\n")).ToOptions().KeepWarm);
        Assert.False(ConfigurationFile.Load(Write(server)).ToOptions().KeepWarm);
        PeerConfiguration peer = Assert.Single(loaded.Peers);
        Assert.Equal((_peer, IPAddress.Parse("10.0.0.1"), "hub.example:9000", 15), (peer.PublicKey, peer.VirtualIP, peer.Endpoint, peer.PersistentKeepalive));
        Assert.Equal(config.Peers[0].AllowedIps, peer.AllowedIps);
        Assert.Equal(psk, peer.PresharedKey);
    }

    [Fact]
    public void AFileEndingInsideAnEscapeIsASyntaxErrorNotACrash()
    {
        // The TOML parser throws (instead of reporting) when a backslash is the file's last character.
        string path = Write("[interface]\nmode = \"server\\");

        var error = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Load(path));

        Assert.Equal("syntax", error.Key);
        Assert.Contains("escape", error.Message);
    }

    public void Dispose()
    {
        _key.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string Write(string text)
    {
        string path = Path.Combine(_directory, $"config-{Guid.NewGuid():N}.toml");
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
