using System.Net;
using Taltun.Configuration;
using Taltun.Crypto;

namespace Taltun.PowerShell;

/// <summary>
/// Converts cmdlet parameter text into configuration values; a bad value is a
/// <see cref="ConfigurationException"/> naming the parameter, as a bad file value names its line.
/// </summary>
internal static class ConfigurationParameters
{
    public static InterfaceAddress Address(string text, string parameter) =>
        InterfaceAddress.TryParse(text, TunnelOptions.DefaultPrefixLength, out InterfaceAddress address)
            ? address
            : throw Invalid(parameter, $"'{text}' is not an IP address with an optional prefix, e.g. 10.0.0.1 or 10.0.0.1/24.");

    public static IPAddress Host(string text, string parameter) =>
        IPAddress.TryParse(text, out IPAddress? address)
            ? address
            : throw Invalid(parameter, $"'{text}' is not an IP address, e.g. 10.0.0.2.");

    public static IPNetwork Prefix(string text, string parameter) =>
        NetworkPrefix.Parse(text, out string problem) ?? throw Invalid(parameter, problem);

    public static IPEndPoint ListenEndPoint(string text, string parameter) =>
        IPEndPoint.TryParse(text, out IPEndPoint? endpoint) && text.Contains(':')
            ? endpoint
            : throw Invalid(parameter, $"'{text}' is not address:port, e.g. 0.0.0.0:9000.");

    /// <summary>An endpoint is kept as written (host:port); it is checked and resolved when the peer is used.</summary>
    public static string Endpoint(string text, string parameter) =>
        EndpointText.TrySplit(text, out _, out _)
            ? text
            : throw Invalid(parameter, $"'{text}' is not host:port, e.g. 203.0.113.7:9000 or vpn.example.com:9000.");

    public static PeerConfiguration Peer(TaltunPeerDefinition definition, string parameter) => new()
    {
        PublicKey = Crypto.PublicKey.Parse(definition.PublicKey),
        VirtualIP = definition.VirtualIP is null ? null : Host(definition.VirtualIP, parameter),
        Endpoint = definition.Endpoint is null ? null : Endpoint(definition.Endpoint, parameter),
        AllowedIps = [.. (definition.AllowedIPs ?? []).Select(a => Prefix(a, parameter))],
        PersistentKeepalive = definition.PersistentKeepalive,
        PresharedKey = definition.PresharedKey is null ? null : PresharedKey.Parse(definition.PresharedKey),
    };

    private static ConfigurationException Invalid(string parameter, string problem) => new(null, 0, "-" + parameter, problem);
}
