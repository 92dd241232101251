using System.Net;
using Taltun.Configuration;
using Taltun.Crypto;

namespace Taltun.Tests.Configuration;

/// <summary>wg-quick's file format read and written: every key wg-quick and wg take, errors naming the line, and the conversions both ways.</summary>
public sealed class WgQuickFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("taltun-wgquick-").FullName;
    private readonly PrivateKey _key = PrivateKey.Generate();
    private readonly PublicKey _peer = PrivateKey.Generate().PublicKey;
    private readonly PresharedKey _psk = PresharedKey.Generate();

    private string Hub => $"""
        # wg0, as wg-quick reads it
        [Interface]
        PrivateKey = {_key.ToBase64()}
        Address = 10.0.0.1/24, fd00::1/64   # both families
        Address = 10.0.1.1
        ListenPort = 51820
        MTU = 1380
        DNS = 10.0.0.53, fd00::53
        DNS = corp.example lab.example
        Table = off
        FwMark = 0x20
        PreUp = echo pre %i
        PostUp = iptables -A FORWARD -i %i -j ACCEPT
        PostUp = echo second
        PostDown = echo down
        SaveConfig = true

        [Peer]
        PublicKey = {_peer}
        PresharedKey = {_psk.ToBase64()}
        AllowedIPs = 10.0.0.2/32
        AllowedIPs = 192.168.9.0/24, fd00::2/128
        Endpoint = [2001:db8::7]:51820
        PersistentKeepalive = off
        """;

    [Fact]
    public void AFileThatStartsATomlSyntaxErrorTodayIsReadWithEveryKeyWgQuickTakes()
    {
        TunnelConfiguration config = ConfigurationFile.Load(Write("wg0.conf", Hub));

        Assert.Equal((TunnelMode.Peer, "wg0", ConfigurationFormat.WgQuick), (config.Mode, config.InterfaceName, config.SourceFormat));
        Assert.Equal(["10.0.0.1/24", "fd00::1/64", "10.0.1.1/32"], config.Addresses.Select(a => a.ToString()));
        Assert.Equal(new IPEndPoint(IPAddress.Any, 51820), config.ListenEndPoint);
        Assert.Equal(1380, config.Mtu);
        Assert.Equal(["10.0.0.53", "fd00::53"], config.Dns!.Servers.Select(s => s.ToString()));
        Assert.Equal(["corp.example", "lab.example"], config.Dns.SearchDomains);
        Assert.Equal(RouteTable.Off, config.Table);
        Assert.Equal(0x20u, config.FirewallMark);
        Assert.True(config.SaveConfig);
        Assert.Equal(
            [(HookPhase.PreUp, "echo pre %i", 12), (HookPhase.PostUp, "iptables -A FORWARD -i %i -j ACCEPT", 13), (HookPhase.PostUp, "echo second", 14), (HookPhase.PostDown, "echo down", 15)],
            config.Hooks.Select(h => (h.Phase, h.Command, h.Line)));
        PeerConfiguration peer = Assert.Single(config.Peers);
        Assert.Equal(_peer, peer.PublicKey);
        Assert.Equal(_psk, peer.PresharedKey);
        Assert.Equal(["10.0.0.2/32", "192.168.9.0/24", "fd00::2/128"], peer.AllowedIps.Select(a => a.ToString()));
        Assert.Equal("[2001:db8::7]:51820", peer.Endpoint);
        Assert.Equal(0, peer.PersistentKeepalive);
        Assert.Equal(18, peer.Line);
    }

    [Fact]
    public void ItStartsAsPlainWireGuardDoes()
    {
        TunnelOptions options = ConfigurationFile.Load(Write("wg0.conf", Hub)).ToOptions();

        Assert.Null(options.Relay);
        Assert.False(options.AddRoutes);
        Assert.Equal(0x20u, options.FirewallMark);
        Assert.Equal(4, options.Hooks.Count);
        PeerOptions peer = Assert.Single(options.Peers);
        Assert.Equal(TimeSpan.Zero, peer.PersistentKeepalive);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 51820), peer.Endpoint);
        Assert.Equal(["10.0.0.2/32", "192.168.9.0/24", "fd00::2/128"], peer.AllowedIps.Select(a => a.ToString()));
    }

    [Fact]
    public void AFullTunnelClientRoutesEverythingAsTwoHalvesSoTheLanStillWins()
    {
        string text = $"""
            [Interface]
            PrivateKey = {_key.ToBase64()}
            Address = 10.0.0.2/32
            [Peer]
            PublicKey = {_peer}
            AllowedIPs = 0.0.0.0/0, ::/0
            Endpoint = 198.51.100.1:51820
            PersistentKeepalive = 25
            """;

        TunnelOptions options = ConfigurationFile.Load(Write("phone.conf", text)).ToOptions();

        Assert.Equal(["0.0.0.0/1", "128.0.0.0/1", "::/1", "8000::/1"], options.Routes.Select(r => r.ToString()));
        Assert.True(options.AddRoutes);
        Assert.Equal(TimeSpan.FromSeconds(25), Assert.Single(options.Peers).PersistentKeepalive);
    }

    [Theory]
    [InlineData("[Interface]\nprivatekey = {key}\naddress = 10.0.0.1/24\n[PEER]\npublickey = {peer}\nallowedips = 10.0.0.2/32\n")]
    [InlineData("  [interface]  \n\tPrivateKey=  {key}   # mine\n\nAddress=10.0.0.1/24\n[peer]\nPublicKey={peer}\nAllowedIPs=10.0.0.2/32\n")]
    [InlineData("[Interface]\r\nPrivateKey = {key}\r\nAddress = 10.0.0.1/24\r\n[Peer]\r\nPublicKey = {peer}\r\nAllowedIPs = 10.0.0.2/32\r\n")]
    public void KeysAndSectionsAreReadInAnyCaseWithCommentsAndWindowsLineEnds(string template)
    {
        TunnelConfiguration config = ConfigurationFile.Parse(template.Replace("{key}", _key.ToBase64()).Replace("{peer}", _peer.ToBase64()), "wg1.conf");

        Assert.Equal(ConfigurationFormat.WgQuick, config.SourceFormat);
        Assert.Equal("10.0.0.1/24", Assert.Single(config.Addresses).ToString());
        Assert.Equal(_peer, Assert.Single(config.Peers).PublicKey);
        Assert.Equal(_key.PublicKey, config.PrivateKey!.PublicKey);
    }

    [Fact]
    public void AFileSavedByWindowsNotepadWithAByteOrderMarkReadsToo()
    {
        string path = Path.Combine(_directory, "notepad.conf");
        File.WriteAllText(path, $"[Interface]\r\nPrivateKey = {_key.ToBase64()}\r\nAddress = 10.0.0.1/24\r\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        TunnelConfiguration config = ConfigurationFile.Load(path);

        Assert.Equal((ConfigurationFormat.WgQuick, "notepad"), (config.SourceFormat, config.InterfaceName));
    }

    [Theory]
    [InlineData("/etc/wireguard/wg0.conf", ConfigurationFormat.WgQuick)]
    [InlineData("./client.CONF", ConfigurationFormat.WgQuick)]
    [InlineData("/etc/taltun/hub.toml", ConfigurationFormat.Toml)]
    [InlineData("./hub.cfg", null)]
    [InlineData(null, null)]
    public void AFileToBeWrittenAsksForAFormatByItsName(string? path, ConfigurationFormat? format) =>
        Assert.Equal(format, ConfigurationFile.FormatOfName(path));

    [Theory]
    [InlineData("[Interface]\nAddress = 10.0.0.1/24\n", true)]
    [InlineData("[Peer]\nPublicKey = x\n", true)]
    [InlineData("[interface]\nPrivateKey = x\n", true)]
    [InlineData("# comment\n\n[interface]\nallowedips = 10.0.0.0/24\n", true)]
    [InlineData("[interface]\nvip = \"10.0.0.1\"\nmtu = 1400\n", false)]
    [InlineData("[interface]\nvip = \"10.0.0.1\"\nprivate_key = \"x\"\n[[peers]]\npublic_key = \"y\"\nendpoint = \"a:1\"\n", false)]
    [InlineData("[interface]\ndns = [\"10.0.0.1\"]\ntable = \"off\"\n", false)]
    public void TheFormatIsDecidedByContentNotByName(string text, bool wgQuick) => Assert.Equal(wgQuick, WgQuickFile.IsWgQuick(text));

    [Theory]
    [InlineData("Table = 1234", 4, "[Interface] Table", "cannot use another table")]
    [InlineData("Table = main", 4, "[Interface] Table", "Table = off")]
    [InlineData("Colour = blue", 4, "[Interface] Colour", "unknown key; [Interface] accepts PrivateKey, Address")]
    [InlineData("ListenPort = 70000", 4, "[Interface] ListenPort", "70000 is out of range: use 0 to 65535")]
    [InlineData("ListenPort = 51820\nListenPort = 51821", 5, "[Interface] ListenPort", "set twice")]
    [InlineData("MTU = 1000", 4, "[Interface] MTU", "out of range: use 1280 to 9000")]
    [InlineData("MTU = big", 4, "[Interface] MTU", "not a whole number")]
    [InlineData("Address = 10.0.0.300/24", 4, "[Interface] Address", "'10.0.0.300/24' is not an IP address")]
    [InlineData("Address = 10.0.0.0/24", 4, "[Interface] Address", "network address")]
    [InlineData("DNS = 10.0.0.1, not_a_domain!", 4, "[Interface] DNS", "neither an IP address")]
    [InlineData("SaveConfig = yes", 4, "[Interface] SaveConfig", "true or false")]
    [InlineData("FwMark = 0xzz", 4, "[Interface] FwMark", "not a firewall mark")]
    [InlineData("this line has no equals sign", 4, "syntax", "Key = Value")]
    [InlineData("[Interface]", 4, "[Interface]", "a second [Interface]")]
    [InlineData("[Server]", 4, "[Server]", "unknown section")]
    [InlineData("[Peer]\nAllowedIPs = 10.0.0.2/32", 4, "[Peer] PublicKey", "missing")]
    [InlineData("[Peer]\nPublicKey = {peer}\nAllowedIPs = 10.0.0.1/24", 6, "[Peer] AllowedIPs", "has host bits set; did you mean \"10.0.0.0/24\"")]
    [InlineData("[Peer]\nPublicKey = {peer}\nEndpoint = fd00::1:51820", 6, "[Peer] Endpoint", "write [fd00::1]:51820")]
    [InlineData("[Peer]\nPublicKey = {peer}\nPersistentKeepalive = 70000", 6, "[Peer] PersistentKeepalive", "out of range")]
    [InlineData("[Peer]\nPublicKey = {peer}\nListenPort = 1", 6, "[Peer] ListenPort", "unknown key; [Peer] accepts PublicKey")]
    [InlineData("[Peer]\nPublicKey = {peer}\nPresharedKey = tooshort", 6, "[Peer] PresharedKey", "not a valid key")]
    public void WhatTaltunCannotHonourIsAnErrorNamingTheLineAndKey(string lines, int line, string key, string expected)
    {
        string text = $"[Interface]\nPrivateKey = {_key.ToBase64()}\nAddress = 10.0.0.1/24\n{lines.Replace("{peer}", _peer.ToBase64())}\n";

        var error = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Parse(text, "wg0.conf").ToOptions());

        Assert.StartsWith($"wg0.conf:{line}: {key}: ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void KeysBeforeAnySectionAndAMissingInterfaceAreErrors()
    {
        Assert.StartsWith("wg0.conf:1: PrivateKey: comes before any section", Assert.Throws<ConfigurationException>(() => ConfigurationFile.Parse($"PrivateKey = {_key.ToBase64()}\n[Interface]\n", "wg0.conf")).Message);
        Assert.StartsWith("wg0.conf: [Interface]: missing", Assert.Throws<ConfigurationException>(() => ConfigurationFile.Parse($"[Peer]\nPublicKey = {_peer}\n", "wg0.conf")).Message);
    }

    [Theory]
    [InlineData("[Interface]\nPrivateKey = {key}\n", "wg0.conf: [Interface] Address: no address")]
    [InlineData("[Interface]\nAddress = 10.0.0.1/24\n", "wg0.conf: [Interface] PrivateKey: no private key")]
    [InlineData("[Interface]\nPrivateKey = {key}\nAddress = 10.0.0.1/24\n[Peer]\nPublicKey = {peer}\nAllowedIPs = 10.0.0.2/32\n[Peer]\nPublicKey = {other}\nAllowedIPs = 10.0.0.2/32\n", "wg0.conf:7: [Peer] AllowedIPs: 10.0.0.2/32 already belongs to peer")]
    [InlineData("[Interface]\nPrivateKey = {key}\nAddress = 10.0.0.1/24\n[Peer]\nPublicKey = {own}\nAllowedIPs = 10.0.0.2/32\n", "wg0.conf:4: [Peer] PublicKey: this is the tunnel's own public key")]
    public void WhatHoldsBetweenPeersIsCheckedInWgQuickWords(string template, string expected)
    {
        string text = template.Replace("{key}", _key.ToBase64()).Replace("{peer}", _peer.ToBase64())
            .Replace("{other}", PrivateKey.Generate().PublicKey.ToBase64()).Replace("{own}", _key.PublicKey.ToBase64());

        Assert.StartsWith(expected, Assert.Throws<ConfigurationException>(() => ConfigurationFile.Parse(text, "wg0.conf").ToOptions()).Message);
    }

    [Fact]
    public void APeerWithoutAddressesIsAWarningAsWgAllowsOne()
    {
        // wg set leaves such a peer when its last allowed IP moves to another; saved, it must load again.
        string text = $"[Interface]\nPrivateKey = {_key.ToBase64()}\nAddress = 10.0.0.1/24\n[Peer]\nPublicKey = {_peer.ToBase64()}\n";
        TunnelOptions options = ConfigurationFile.Parse(text, "wg0.conf").ToOptions();
        Assert.Contains("wg0.conf:4: [Peer]: the peer owns no address, so it could neither send nor receive: give it AllowedIPs.", options.Warnings);
        Assert.Empty(Assert.Single(options.Peers).AllowedIps);
    }

    [Fact]
    public void AFileNameThatIsNoInterfaceNameSaysToRenameItOrGiveAName()
    {
        string text = $"[Interface]\nPrivateKey = {_key.ToBase64()}\nAddress = 10.0.0.1/24\n";

        var error = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Parse(text, "/etc/wireguard/my office tunnel.conf").ToOptions());

        Assert.Contains("named after its file", error.Message);
        Assert.Contains("-Name", error.Message);
        Assert.Equal("office", (ConfigurationFile.Parse(text, "/etc/wireguard/my office tunnel.conf") with { InterfaceName = "office" }).ToOptions().InterfaceName);
    }

    [Fact]
    public void AWgQuickFileWrittenAgainIsTheSameFile()
    {
        TunnelConfiguration config = ConfigurationFile.Parse(Hub, "wg0.conf");

        string written = WgQuickFile.Format(config, out IReadOnlyList<string> lost);
        TunnelConfiguration again = ConfigurationFile.Parse(written, "wg0.conf");

        Assert.Empty(lost);
        Assert.Equal(WgQuickFile.Format(again, out _), written);
        Assert.Equal(config.Hooks.Select(h => (h.Phase, h.Command)), again.Hooks.Select(h => (h.Phase, h.Command)));
        Assert.Equal(config.Dns, again.Dns);
        Assert.Contains("FwMark = 0x20\n", written);
        Assert.Contains($"PresharedKey = {_psk.ToBase64()}\n", written);
        Assert.DoesNotContain("PersistentKeepalive", written);
    }

    [Fact]
    public void WgQuickToTomlAndBackLosesNothing()
    {
        TunnelConfiguration config = ConfigurationFile.Parse(Hub, "wg0.conf");

        string toml = ConfigurationFile.Format(config);
        TunnelConfiguration fromToml = ConfigurationFile.Parse(toml, Path.Combine(_directory, "wg0.toml"));

        Assert.Contains("mode = \"peer\"", toml);
        Assert.Contains("table = \"off\"", toml);
        Assert.Contains("post_up = [\"iptables -A FORWARD -i %i -j ACCEPT\", \"echo second\"]", toml);
        Assert.Contains("dns = [\"10.0.0.53\", \"fd00::53\", \"corp.example\", \"lab.example\"]", toml);
        Assert.Equal(ConfigurationFormat.Toml, fromToml.SourceFormat);
        Assert.Equal(WgQuickFile.Format(config, out _), WgQuickFile.Format(fromToml, out IReadOnlyList<string> lost));
        Assert.Empty(lost);
    }

    [Fact]
    public void AClientForWireGuardsAppsCarriesWhatTheTaltunClientModeImplies()
    {
        var hub = new TunnelConfiguration { Addresses = [new InterfaceAddress(IPAddress.Parse("10.0.0.1"), 24)], Mtu = 1400 };
        TunnelConfiguration client = new ClientConfiguration
        {
            PrivateKey = _key.ToBase64(),
            VirtualIP = "10.0.0.5",
            Endpoint = "vpn.example.com:9000",
            Routes = ["192.168.50.0/24"],
            LocalAddress = "0.0.0.0:0",
            PresharedKey = _psk.ToBase64(),
            Dns = ["10.0.0.1", "corp.example"],
        }.For(hub, _peer);

        string text = WgQuickFile.Format(client, out IReadOnlyList<string> lost);

        Assert.Empty(lost);
        Assert.Equal(
            $"""
            # WireGuard configuration for wg-quick and WireGuard's apps (written by Taltun).
            [Interface]
            PrivateKey = {_key.ToBase64()}
            Address = 10.0.0.5/24
            MTU = 1400
            DNS = 10.0.0.1, corp.example

            [Peer]
            PublicKey = {_peer}
            PresharedKey = {_psk.ToBase64()}
            AllowedIPs = 10.0.0.0/24, 192.168.50.0/24
            Endpoint = vpn.example.com:9000
            PersistentKeepalive = 25

            """,
            text);
    }

    [Fact]
    public void WhatWgQuickCannotSayIsListed()
    {
        var hub = new TunnelConfiguration
        {
            Mode = TunnelMode.Server,
            Addresses = [new InterfaceAddress(IPAddress.Parse("10.0.0.1"), 24)],
            ListenEndPoint = IPEndPoint.Parse("192.0.2.1:9000"),
            PrivateKey = _key,
            PrivateKeyFile = "/etc/taltun/hub.key",
            Routes = [IPNetwork.Parse("192.168.50.0/24")],
            MssClamping = false,
            KeepWarm = true,
        };

        string text = WgQuickFile.Format(hub, out IReadOnlyList<string> lost);

        Assert.Contains("ListenPort = 9000\n", text);
        Assert.Collection(
            lost,
            l => Assert.Contains("/etc/taltun/hub.key", l),
            l => Assert.Contains("local_addr 192.0.2.1:9000", l),
            l => Assert.Contains("relay = \"all\"", l),
            l => Assert.Contains("routes 192.168.50.0/24", l),
            l => Assert.Contains("mss_clamping", l),
            l => Assert.Contains("keep_warm", l));
        WgQuickFile.Format(hub with { Hooks = [new HookCommand(HookPhase.PostUp, "echo '#1'")] }, out IReadOnlyList<string> hashes);
        Assert.Contains(hashes, l => l.StartsWith("PostUp echo '#1': wg-quick cuts a line at '#'", StringComparison.Ordinal));
        WgQuickFile.Format(hub with { Relay = Taltun.Routing.RelayMode.None, Routes = [], MssClamping = true, KeepWarm = false, PrivateKeyFile = null, ListenEndPoint = new IPEndPoint(IPAddress.Any, 9000) }, out IReadOnlyList<string> none);
        Assert.Empty(none);
    }

    [Fact]
    public void TomlTakesTheSameSettings()
    {
        string text = $"""
            [interface]
            mode = "peer"
            vip = "10.0.0.1/24"
            private_key = "{_key.ToBase64()}"
            dns = ["10.0.0.53", "corp.example"]
            table = "off"
            fwmark = 51820
            pre_up = "echo one"
            post_down = ["echo two", "echo three"]
            save_config = true
            control_group = "vpn-ops"
            """;

        TunnelConfiguration config = ConfigurationFile.Parse(text, "hub.toml");
        TunnelOptions options = config.ToOptions();

        Assert.Equal(TunnelMode.Peer, config.Mode);
        Assert.Equal(["10.0.0.53"], options.Dns!.Servers.Select(s => s.ToString()));
        Assert.False(options.AddRoutes);
        Assert.Equal(51820u, options.FirewallMark);
        Assert.Equal([(HookPhase.PreUp, "echo one"), (HookPhase.PostDown, "echo two"), (HookPhase.PostDown, "echo three")], options.Hooks.Select(h => (h.Phase, h.Command)));
        Assert.True(config.SaveConfig);
        Assert.Equal("vpn-ops", config.ControlGroup);
        Assert.Contains("control_group = \"vpn-ops\"", ConfigurationFile.Format(config));
        WgQuickFile.Format(config, out IReadOnlyList<string> lost);
        Assert.Contains(lost, l => l.StartsWith("control_group = \"vpn-ops\": a wg-quick file has no such setting", StringComparison.Ordinal));
        Assert.Equal(ConfigurationFile.Format(config), ConfigurationFile.Format(ConfigurationFile.Parse(ConfigurationFile.Format(config), "hub.toml")));
    }

    [Theory]
    [InlineData("table = \"main\"", "interface.table", "\"auto\"")]
    [InlineData("dns = [\"corp.example\"]", "interface.dns", "without a name server")]
    [InlineData("dns = \"10.0.0.1\"", "interface.dns", "list of strings")]
    [InlineData("fwmark = -1", "interface.fwmark", "out of range")]
    [InlineData("post_up = 5", "interface.post_up", "must be a string")]
    [InlineData("post_up = \"echo a\\nPrivateKey = x\"", "interface.post_up", "a hook is one line")]
    [InlineData("mode = \"hub\"", "interface.mode", "\"peer\"")]
    [InlineData("mode = \"peer\"\nrelay = \"all\"", "interface.relay", "only a hub relays")]
    [InlineData("control_group = \"-rf\"", "interface.control_group", "is not a group name")]
    [InlineData("control_group = \"a/b\"", "interface.control_group", "is not a group name")]
    public void TomlSaysWhatIsWrongWithThem(string line, string key, string expected)
    {
        string text = $"[interface]\nvip = \"10.0.0.1/24\"\nprivate_key = \"{_key.ToBase64()}\"\n{line}\n";

        var error = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Parse(text, "hub.toml").ToOptions());

        Assert.Contains($"{key}: ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void AHookInAFileOthersCanWriteIsRefusedNamingItsLine()
    {
        string path = Write("wg0.conf", $"[Interface]\nPrivateKey = {_key.ToBase64()}\nAddress = 10.0.0.1/24\nPostUp = echo up\n");
        TunnelConfiguration config = ConfigurationFile.Load(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);

        var error = Assert.Throws<ConfigurationException>(config.ToOptions);

        Assert.StartsWith($"{path}:4: [Interface] PostUp: this file makes Taltun run commands as root, yet {path} can be written by group or others (mode 606); restrict it: chmod go-w {path}.", error.Message);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Single(config.ToOptions().Hooks);
    }

    [Fact]
    public void AHookProgramSomeoneElseControlsIsRefused()
    {
        string scripts = Directory.CreateDirectory(Path.Combine(_directory, "scripts")).FullName;
        string script = Path.Combine(scripts, "up.sh");
        File.WriteAllText(script, "#!/bin/sh\n");
        string link = Path.Combine(_directory, "up-link.sh");
        File.CreateSymbolicLink(link, script);
        TunnelConfiguration Config(string program) => ConfigurationFile.Parse($"[Interface]\nPrivateKey = {_key.ToBase64()}\nAddress = 10.0.0.1/24\nPreUp = {program} %i\n", Path.Combine(_directory, "wg0.conf"));

        Assert.Single(Config(script).ToOptions().Hooks);
        Assert.Single(Config($"bash {script}").ToOptions().Hooks);
        Assert.Single(Config($"{script} > /dev/null 2>&1 < /dev/zero").ToOptions().Hooks);
        File.SetUnixFileMode(scripts, (UnixFileMode)0x1FF);
        Assert.Contains($"{scripts} can be written by group or others (mode 777)", Assert.Throws<ConfigurationException>(Config(script).ToOptions).Message);
        Assert.StartsWith($"{Path.Combine(_directory, "wg0.conf")}:4: [Interface] PreUp: this hook runs as root with a file someone else controls: {scripts} can be written", Assert.Throws<ConfigurationException>(Config($"bash '{script}'").ToOptions).Message);
        Assert.Contains($"{scripts} can be written", Assert.Throws<ConfigurationException>(Config($"nft -f={script}").ToOptions).Message);
        Assert.Contains($"{scripts} can be written by group or others", Assert.Throws<ConfigurationException>(Config(link).ToOptions).Message);
        File.SetUnixFileMode(scripts, (UnixFileMode)0x1ED);
        Interop.NetworkNamespace.Run("chown", "65534", script);
        Assert.Contains($"{script} belongs to user 65534", Assert.Throws<ConfigurationException>(Config(link).ToOptions).Message);
    }

    public void Dispose()
    {
        _key.Dispose();
        _psk.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
