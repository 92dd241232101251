using System.Net;
using Taltun.Crypto;

namespace Taltun.Configuration;

/// <summary>
/// Turns parameter text (a cmdlet's arguments) into configuration values. A bad value is a
/// <see cref="ConfigurationException"/> naming the parameter, as a bad file value names its line;
/// a bad key is a <see cref="KeyFormatException"/> naming the parameter and never quoting the text.
/// Parameter names are given without the leading dash. Stateless; thread-safe.
/// </summary>
public static class ParameterValues
{
    public static InterfaceAddress Address(string text, string parameter) =>
        InterfaceAddress.Parse(text, TunnelOptions.DefaultPrefixLength, out string problem) ?? throw Invalid(parameter, problem);

    public static IPAddress Host(string text, string parameter) =>
        IPAddress.TryParse(text, out IPAddress? address)
            ? address
            : throw Invalid(parameter, $"{MessageText.Quote(text)} is not an IP address, e.g. 10.0.0.2.");

    public static IPNetwork Prefix(string text, string parameter) =>
        NetworkPrefix.Parse(text, out string problem) ?? throw Invalid(parameter, problem);

    public static IPEndPoint ListenEndPoint(string text, string parameter) =>
        EndpointText.ParseListen(text, out string problem) ?? throw Invalid(parameter, problem);

    /// <summary>An endpoint is kept as written (host:port); it is checked here and resolved when the peer is used.</summary>
    public static string Endpoint(string text, string parameter) =>
        EndpointText.TrySplit(text, out _, out _, out string problem) ? text : throw Invalid(parameter, problem);

    /// <summary>Name servers and search domains, as -Dns lists them.</summary>
    public static DnsSettings Dns(IEnumerable<string> entries, string parameter)
    {
        DnsSettings dns = DnsSettings.Parse(entries, null, out string problem) ?? throw Invalid(parameter, problem);
        return dns.Problem() is { } incomplete ? throw Invalid(parameter, incomplete) : dns;
    }

    public static PrivateKey PrivateKey(string text, string parameter) => Key(text, parameter, Crypto.PrivateKey.Parse);

    public static PublicKey PublicKey(string text, string parameter) => Key(text, parameter, Crypto.PublicKey.Parse);

    public static PresharedKey PresharedKey(string text, string parameter) => Key(text, parameter, Crypto.PresharedKey.Parse);

    /// <summary>
    /// A peer given as text fields. Problems name <paramref name="parameter"/> when the whole peer
    /// was one parameter (Start-TaltunTunnel -Peer), else the field's own parameter (Add-TaltunPeer -VirtualIP).
    /// </summary>
    public static PeerConfiguration Peer(PeerText peer, string? parameter = null) => new()
    {
        PublicKey = PublicKey(peer.PublicKey, parameter ?? "PublicKey"),
        VirtualIP = peer.VirtualIP is null ? null : Host(peer.VirtualIP, parameter ?? "VirtualIP"),
        Endpoint = peer.Endpoint is null ? null : Endpoint(peer.Endpoint, parameter ?? "Endpoint"),
        AllowedIps = [.. (peer.AllowedIps ?? []).Select(a => Prefix(a, parameter ?? "AllowedIPs"))],
        PersistentKeepalive = peer.PersistentKeepalive,
        PresharedKey = peer.PresharedKey is null ? null : PresharedKey(peer.PresharedKey, parameter ?? "PresharedKey"),
    };

    private static T Key<T>(string text, string parameter, Func<string, T> parse)
    {
        try
        {
            return parse(text);
        }
        catch (KeyFormatException e)
        {
            throw new KeyFormatException(e.Reason, parameter);
        }
    }

    /// <summary>An error about a cmdlet parameter, named with its dash.</summary>
    public static ConfigurationException Invalid(string parameter, string problem) => new(null, 0, "-" + parameter, problem);
}

/// <summary>A peer as a user types it on a command line: every field text, checked by <see cref="ParameterValues.Peer"/>.</summary>
public sealed record PeerText(string PublicKey)
{
    public string? VirtualIP { get; init; }

    public string? Endpoint { get; init; }

    public IReadOnlyList<string>? AllowedIps { get; init; }

    public int? PersistentKeepalive { get; init; }

    public string? PresharedKey { get; init; }
}
