using System.Net;
using System.Text;
using Taltun.Configuration;
using Taltun.Control;
using Taltun.Crypto;

namespace Taltun.Tests.Control;

/// <summary>
/// The userspace API's set=1 lines as wireguard-go's device/uapi.go accepts and refuses them,
/// with its errno values (-22 invalid, -71 protocol), and never a key in a message.
/// </summary>
public class UapiSetParserTests
{
    private static readonly PrivateKey Private = PrivateKey.Generate();
    private static readonly PublicKey PeerA = PrivateKey.Generate().PublicKey;
    private static readonly PublicKey PeerB = PrivateKey.Generate().PublicKey;
    private static readonly PresharedKey Psk = PresharedKey.Generate();

    [Fact]
    public void EveryKeyWgSetSendsIsRead()
    {
        TunnelUpdate update = Parse(
            $"private_key={Private.ToHex()}",
            "listen_port=51821",
            "fwmark=4660",
            "replace_peers=true",
            $"public_key={PeerA.ToHex()}",
            $"preshared_key={Psk.ToHex()}",
            "endpoint=[2001:db8::1]:51820",
            "persistent_keepalive_interval=25",
            "replace_allowed_ips=true",
            "allowed_ip=10.0.0.2/32",
            "allowed_ip=-192.168.0.0/16",
            "protocol_version=1",
            $"public_key={PeerB.ToHex()}",
            "update_only=true",
            "remove=true");

        Assert.True(update.PrivateKey!.SameBytesAs(new PublicKey(Convert.FromHexString(Private.ToHex()))));
        Assert.Equal((51821, 4660u, true), (update.ListenPort, update.FirewallMark, update.ReplacePeers));
        PeerUpdate a = update.Peers[0];
        Assert.Equal(PeerA, a.PublicKey);
        Assert.True(a.PresharedKey!.SameBytesAs(Psk));
        Assert.Equal(("[2001:db8::1]:51820", 25, true), (a.Endpoint, a.PersistentKeepalive, a.ReplaceAllowedIps));
        Assert.Equal([new AllowedIpChange(IPNetwork.Parse("10.0.0.2/32"), false), new AllowedIpChange(IPNetwork.Parse("192.168.0.0/16"), true)], a.AllowedIps);
        PeerUpdate b = update.Peers[1];
        Assert.Equal((PeerB, true, true), (b.PublicKey, b.UpdateOnly, b.Remove));
    }

    [Fact]
    public void AZeroPresharedKeyClearsItAndHostBitsAreMaskedAsWireguardGoStoresThem()
    {
        TunnelUpdate update = Parse($"public_key={PeerA.ToHex()}", $"preshared_key={new string('0', 64)}", "allowed_ip=10.1.2.3/24", "endpoint=192.0.2.1:9000");
        Assert.True(update.Peers[0].ClearPresharedKey);
        Assert.Null(update.Peers[0].PresharedKey);
        Assert.Equal(IPNetwork.Parse("10.1.2.0/24"), update.Peers[0].AllowedIps[0].Prefix);
        Assert.Equal("192.0.2.1:9000", update.Peers[0].Endpoint);
    }

    [Fact]
    public void ReplacingAllowedIpsForgetsTheOnesEarlierInTheBlock()
    {
        TunnelUpdate update = Parse($"public_key={PeerA.ToHex()}", "allowed_ip=10.0.0.9/32", "replace_allowed_ips=true", "allowed_ip=10.0.0.2/32");
        Assert.Equal([new AllowedIpChange(IPNetwork.Parse("10.0.0.2/32"), false)], update.Peers[0].AllowedIps);
    }

    [Theory]
    [InlineData("no equals sign", UapiException.EPROTO, "has no '='")]
    [InlineData("listen_port=65536", UapiException.EINVAL, "failed to parse listen_port")]
    [InlineData("listen_port=-1", UapiException.EINVAL, "failed to parse listen_port")]
    [InlineData("fwmark=0x10", UapiException.EINVAL, "invalid fwmark")]
    [InlineData("replace_peers=false", UapiException.EINVAL, "failed to set replace_peers")]
    [InlineData("private_key=abc", UapiException.EINVAL, "a key is 64 hex digits")]
    [InlineData("listen-port=1", UapiException.EINVAL, "invalid UAPI device key")]
    [InlineData("PEER/persistent_keepalive_interval=70000", UapiException.EINVAL, "failed to set persistent keepalive interval")]
    [InlineData("PEER/endpoint=localhost:9000", UapiException.EINVAL, "failed to set endpoint")]
    [InlineData("PEER/endpoint=::1:9000", UapiException.EINVAL, "failed to set endpoint")]
    [InlineData("PEER/allowed_ip=10.0.0.0/33", UapiException.EINVAL, "failed to set allowed ip")]
    [InlineData("PEER/protocol_version=2", UapiException.EINVAL, "invalid protocol version")]
    [InlineData("PEER/remove=yes", UapiException.EINVAL, "failed to set remove")]
    [InlineData("PEER/private_key=00", UapiException.EINVAL, "invalid UAPI peer key")]
    public void RefusalsCarryWireguardGosErrno(string line, int errno, string message)
    {
        string[] lines = line.StartsWith("PEER/", StringComparison.Ordinal) ? [$"public_key={PeerA.ToHex()}", line[5..]] : [line];
        var error = Assert.Throws<UapiException>(() => Parse(lines));
        Assert.Equal(errno, error.Errno);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void AnAllZeroPrivateKeyIsRefusedRatherThanLeavingTheTunnelWithoutIdentity()
    {
        var error = Assert.Throws<UapiException>(() => Parse($"private_key={new string('0', 64)}"));
        Assert.Equal(UapiException.EINVAL, error.Errno);
    }

    [Fact]
    public void NoMessageQuotesAKeyWhereverItIsWritten()
    {
        string hex = Private.ToHex();
        string base64 = Private.ToBase64();
        int refused = 0;
        foreach (string secret in new[] { hex, base64, hex[..40], hex + "00", $"x{hex}" })
        {
            foreach (string[] lines in new[] { secret, $"{secret}=1", $"listen_port={secret}", $"fwmark={secret}", $"private_key={secret}", $"replace_peers={secret}" }.Select(l => new[] { l })
                .Concat(new[] { $"endpoint={secret}", $"allowed_ip={secret}", $"preshared_key={secret}", $"persistent_keepalive_interval={secret}", $"{secret}=true" }.Select(l => new[] { $"public_key={PeerA.ToHex()}", l })))
            {
                try
                {
                    Parse(lines);
                }
                catch (UapiException error)
                {
                    refused++;
                    Assert.DoesNotContain(hex[..16], error.Message, StringComparison.OrdinalIgnoreCase);
                    Assert.DoesNotContain(base64[..16], error.Message, StringComparison.Ordinal);
                }
            }
        }

        // Every line but a well-formed private_key or preshared_key (hex, 64 digits) is refused.
        Assert.Equal((5 * 11) - 2, refused);
    }

    private static TunnelUpdate Parse(params string[] lines)
    {
        var parser = new UapiSetParser();
        foreach (string line in lines)
        {
            parser.Add(Encoding.ASCII.GetBytes(line));
        }

        return parser.Result;
    }
}
