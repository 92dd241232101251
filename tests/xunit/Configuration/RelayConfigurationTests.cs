using System.Net;
using Taltun.Configuration;
using Taltun.Crypto;
using Taltun.Routing;

namespace Taltun.Tests.Configuration;

/// <summary>A hub's relay policy in TOML: the modes, [[relay_rules]], their errors, and saving them back.</summary>
public sealed class RelayConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("taltun-relay-").FullName;
    private readonly PrivateKey _key = PrivateKey.Generate();

    [Fact]
    public void AServerRelaysEverythingByDefaultAndAClientNothing()
    {
        Assert.Same(RelayPolicy.All, Load("server").ToOptions().Relay);
        Assert.Null(Load("client").ToOptions().Relay);
        Assert.Same(RelayPolicy.None, Load("server", "relay = \"none\"\n").ToOptions().Relay);
    }

    [Fact]
    public void RulesAreReadWithPrefixesProtocolAndPortsAndSavedBack()
    {
        string text = """
            relay = "rules"

            [[relay_rules]]
            source = "10.0.0.0/24"
            destination = ["10.0.0.10/32", "fd00::10/128"]
            protocol = "tcp"
            ports = [22, "8000-8080"]

            [[relay_rules]]
            source = "10.0.0.5/32"
            destination = "10.0.0.6/32"
            """;

        TunnelConfiguration config = Load("server", text);
        RelayPolicy policy = config.ToOptions().Relay!;

        Assert.Equal(RelayMode.Rules, policy.Mode);
        Assert.Equal("rules (2)", policy.ToString());
        RelayRule first = policy.Rules[0];
        Assert.Equal([IPNetwork.Parse("10.0.0.0/24")], first.Sources);
        Assert.Equal([IPNetwork.Parse("10.0.0.10/32"), IPNetwork.Parse("fd00::10/128")], first.Destinations);
        Assert.Equal((RelayProtocol.Tcp, new PortRange(22, 22), new PortRange(8000, 8080)), (first.Protocol, first.Ports[0], first.Ports[1]));
        Assert.Equal((RelayProtocol.Any, 0), (policy.Rules[1].Protocol, policy.Rules[1].Ports.Count));

        TunnelConfiguration again = ConfigurationFile.Parse(ConfigurationFile.Format(config), Path.Combine(_directory, "again.toml"));
        Assert.Equal(policy.Rules.Select(r => r.ToString()), again.ToOptions().Relay!.Rules.Select(r => r.ToString()));
    }

    [Theory]
    [InlineData("client", "relay = \"all\"\n", "interface.relay", "only a hub relays")]
    [InlineData("server", "relay = \"sometimes\"\n", "interface.relay", "\"all\"")]
    [InlineData("server", "relay = \"rules\"\n", "interface.relay", "at least one [[relay_rules]]")]
    [InlineData("server", "\n[[relay_rules]]\nsource = \"10.0.0.0/24\"\ndestination = \"10.0.0.0/24\"\n", "relay_rules", "relay = \"rules\"")]
    [InlineData("server", "relay = \"rules\"\n[[relay_rules]]\nsource = \"10.0.0.0/24\"\n", "relay_rules[1]", "source and destination")]
    [InlineData("server", "relay = \"rules\"\n[[relay_rules]]\nsource = \"10.0.0.0/24\"\ndestination = \"10.0.0.1/24\"\n", "relay_rules[1].destination", "host bits")]
    [InlineData("server", "relay = \"rules\"\n[[relay_rules]]\nsource = \"10.0.0.0/24\"\ndestination = \"10.0.0.0/24\"\nports = [22]\n", "relay_rules[1].ports", "protocol = \"tcp\" or \"udp\"")]
    [InlineData("server", "relay = \"rules\"\n[[relay_rules]]\nsource = \"10.0.0.0/24\"\ndestination = \"10.0.0.0/24\"\nprotocol = \"udp\"\nports = [\"70000\"]\n", "relay_rules[1].ports", "1 to 65535")]
    [InlineData("server", "relay = \"rules\"\n[[relay_rules]]\nsource = \"10.0.0.0/24\"\ndestination = \"10.0.0.0/24\"\nprotocol = \"gre\"\n", "relay_rules[1].protocol", "\"tcp\"")]
    public void AMistakeInTheRelayPolicyNamesItsKeyAndTheFix(string mode, string extra, string key, string fix)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(mode, extra).ToOptions());

        Assert.Equal(key, error.Key);
        Assert.Contains(fix, error.Message);
    }

    public void Dispose()
    {
        _key.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A tunnel of <paramref name="mode"/> with <paramref name="extra"/> after its [interface] keys; a client gets a hub to reach.</summary>
    private TunnelConfiguration Load(string mode, string extra = "")
    {
        string hub = mode == "client" ? $"\n[[peers]]\npublic_key = \"{PrivateKey.Generate().PublicKey}\"\nvip = \"10.0.0.254\"\nendpoint = \"192.0.2.1:9000\"\n" : string.Empty;
        string path = Path.Combine(_directory, $"{Guid.NewGuid():N}.toml");
        File.WriteAllText(path, $"[interface]\nmode = \"{mode}\"\nvip = \"10.0.0.1/24\"\nprivate_key = \"{_key.ToBase64()}\"\n" + extra + hub);
        return ConfigurationFile.Load(path);
    }
}
