using Taltun.Configuration;
using Taltun.Crypto;

namespace Taltun.Tests.Configuration;

/// <summary>Input that makes no sense is refused before anything starts, with the range or form that would.</summary>
public sealed class InputRulesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("taltun-input-").FullName;
    private readonly PrivateKey _key = PrivateKey.Generate();
    private readonly PublicKey _peer = PrivateKey.Generate().PublicKey;

    [Theory]
    [InlineData("10.78.0.0/24", "network address")]
    [InlineData("10.78.0.255/24", "broadcast address")]
    [InlineData("fd00::/64", "Subnet-Router anycast address")]
    [InlineData("224.0.0.1/24", "cannot be a tunnel address")]
    [InlineData("127.0.0.2/8", "cannot be a tunnel address")]
    public void TheNetworkAddressIsNotAVirtualIP(string vip, string named)
    {
        var file = Assert.Throws<ConfigurationException>(() => Load($"[interface]\nvip = \"{vip}\"\nprivate_key = \"{_key.ToBase64()}\"\n"));
        Assert.Equal((2, "interface.vip"), (file.Line, file.Key));
        Assert.Contains(named, file.Message);

        var parameter = Assert.Throws<ConfigurationException>(() => ParameterValues.Address(vip, "VirtualIP"));
        Assert.StartsWith("-VirtualIP: ", parameter.Message);
        Assert.Contains(named, parameter.Message);
    }

    [Fact]
    public void APeersVirtualIPIsNotTheSubnetsNetworkAddress()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(Head() + $"[[peers]]\npublic_key = \"{_peer}\"\nvip = \"10.78.0.0\"\n").ToOptions());
        Assert.Equal((4, "peers[1].vip"), (error.Line, error.Key));
        Assert.Contains("network address", error.Message);
    }

    [Fact]
    public void TheTunnelsOwnPrivateKeyIsNotAPeersPublicKeyAndIsNotRepeated()
    {
        string Message(string own) => Assert.Throws<ConfigurationException>(() =>
            Load($"[interface]\nvip = \"10.78.0.1/24\"\nprivate_key = \"{own}\"\n[[peers]]\npublic_key = \"{own}\"\nvip = \"10.78.0.2\"\n").ToOptions()).Message;

        string message = Message(_key.ToBase64());
        Assert.Contains("peers[1].public_key", message);
        Assert.Contains("private key", message);
        KeyLeaks.AssertNone(Message, () => PrivateKey.Generate().ToBase64());
    }

    [Fact]
    public void AClientWithNothingToReachIsRefused()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load($"[interface]\nmode = \"client\"\nvip = \"10.78.0.2/24\"\nprivate_key = \"{_key.ToBase64()}\"\n").ToOptions());
        Assert.Contains("hub", error.Message);
        Assert.Contains("[[peers]]", error.Message);
    }

    [Fact]
    public void APeerThatOwnsNoAddressIsAWarningNamingItsEntry()
    {
        // Legal WireGuard (wg set leaves such a peer), so a saved configuration with one loads again.
        TunnelOptions options = Load(Head() + $"[[peers]]\npublic_key = \"{_peer}\"\nendpoint = \"198.51.100.1:9000\"\n").ToOptions();
        string warning = Assert.Single(options.Warnings, w => w.Contains("owns no address"));
        Assert.Contains(":4: peers[1]: ", warning);
        Assert.Contains("vip or allowed_ips", warning);
    }

    [Fact]
    public void APrefixTwoPeersClaimIsRefusedNamingItsOwner()
    {
        string other = PrivateKey.Generate().PublicKey.ToBase64();
        var error = Assert.Throws<ConfigurationException>(() => Load(Head()
            + $"[[peers]]\npublic_key = \"{_peer}\"\nvip = \"10.78.0.2\"\n"
            + $"[[peers]]\npublic_key = \"{other}\"\nallowed_ips = [\"10.78.0.2/32\"]\n").ToOptions());

        Assert.Equal((7, "peers[2].allowed_ips"), (error.Line, error.Key));
        Assert.Contains($"10.78.0.2/32 already belongs to peer {_peer} (10.78.0.2)", error.Message);
    }

    [Theory]
    [InlineData("local_addr = \"0.0.0.0:70000\"", "interface.local_addr", "port 70000 is out of range: use 0 to 65535")]
    [InlineData("local_addr = \"::1:9100\"", "interface.local_addr", "write [::1]:9100")]
    [InlineData("local_addr = \"0.0.0.0\"", "interface.local_addr", "no port")]
    [InlineData("routes = [\"10.0.0.0/33\"]", "interface.routes", "prefix length 33 is out of range: use 0 to 32")]
    [InlineData("routes = [\"fd00::/129\"]", "interface.routes", "prefix length 129 is out of range: use 0 to 128")]
    [InlineData("vip = \"10.78.0.1/33\"", "interface.vip", "prefix length 33 is out of range: use 0 to 32")]
    public void PortsAndPrefixesNameTheirRange(string line, string key, string hint)
    {
        string text = $"[interface]\nprivate_key = \"{_key.ToBase64()}\"\n" + (line.StartsWith("vip", StringComparison.Ordinal) ? string.Empty : "vip = \"10.78.0.1\"\n") + line + "\n";

        var error = Assert.Throws<ConfigurationException>(() => Load(text));

        Assert.Equal(key, error.Key);
        Assert.Contains(hint, error.Message);
    }

    [Theory]
    [InlineData("198.51.100.1:70000", "port 70000 is out of range: use 1 to 65535")]
    [InlineData("::1:9100", "write [::1]:9100")]
    [InlineData("vpn.example.com", "no port")]
    [InlineData("vpn example.com:9000", "white space or a control character in its host")]
    [InlineData("vpn\\nPrivateKey = x:9000", "white space or a control character in its host")]
    public void PeerEndpointsNameTheirFormAndRange(string endpoint, string hint)
    {
        var file = Assert.Throws<ConfigurationException>(() => Load(Head() + $"[[peers]]\npublic_key = \"{_peer}\"\nvip = \"10.78.0.2\"\nendpoint = \"{endpoint}\"\n"));
        Assert.Equal((7, "peers[1].endpoint"), (file.Line, file.Key));
        Assert.Contains(hint, file.Message);

        var parameter = Assert.Throws<ConfigurationException>(() => ParameterValues.Endpoint(endpoint, "Endpoint"));
        Assert.StartsWith("-Endpoint: ", parameter.Message);
        Assert.Contains(hint, parameter.Message);
    }

    [Fact]
    public void ListenParametersNameTheirFormAndRange()
    {
        Assert.Contains("port 70000 is out of range: use 0 to 65535", Assert.Throws<ConfigurationException>(() => ParameterValues.ListenEndPoint("0.0.0.0:70000", "LocalAddress")).Message);
        Assert.Contains("write [::1]:9100", Assert.Throws<ConfigurationException>(() => ParameterValues.ListenEndPoint("::1:9100", "LocalAddress")).Message);
        Assert.Contains("prefix length 33 is out of range: use 0 to 32", Assert.Throws<ConfigurationException>(() => ParameterValues.Prefix("10.0.0.0/33", "Route")).Message);
    }

    [Theory]
    [InlineData("10.78.0.0", "network address")]
    [InlineData("10.78.0.1", "the hub's own address")]
    [InlineData("10.79.0.5", "outside the hub's subnet 10.78.0.0/24")]
    public void AClientsAddressMustBeAHostOfItsHubsSubnet(string vip, string named)
    {
        var hub = new TunnelConfiguration { Addresses = [ParameterValues.Address("10.78.0.1/24", "VirtualIP")], PrivateKey = _key };
        using PrivateKey client = PrivateKey.Generate();

        var error = Assert.Throws<ConfigurationException>(() => new ClientConfiguration { PrivateKey = client.ToBase64(), VirtualIP = vip, Endpoint = "198.51.100.1:9000" }.For(hub, _key.PublicKey));

        Assert.StartsWith("-VirtualIP: ", error.Message);
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void ADirectoryGivenAsTheConfigurationSaysSo()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationFile.Load(_directory));

        Assert.Contains("is a directory", error.Message);
        Assert.DoesNotContain("denied", error.Message);
    }

    public void Dispose()
    {
        _key.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string Head() => $"[interface]\nvip = \"10.78.0.1/24\"\nprivate_key = \"{_key.ToBase64()}\"\n";

    private TunnelConfiguration Load(string text)
    {
        string path = Path.Combine(_directory, $"{Guid.NewGuid():N}.toml");
        File.WriteAllText(path, text);
        return ConfigurationFile.Load(path);
    }
}
