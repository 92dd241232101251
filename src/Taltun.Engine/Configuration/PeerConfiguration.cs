using System.Net;
using Taltun.Crypto;

namespace Taltun.Configuration;

/// <summary>A [[peers]] entry as written in a configuration file (before mode defaults apply). Immutable.</summary>
public sealed record PeerConfiguration
{
    public required PublicKey PublicKey { get; init; }

    /// <summary>The peer's virtual IP: its /32 (or /128) is always among its allowed IPs.</summary>
    public IPAddress? VirtualIP { get; init; }

    /// <summary>host:port as written (an IP address or a DNS name resolved at start); null for a roaming peer.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Further addresses the peer may use, beyond its virtual IP.</summary>
    public IReadOnlyList<IPNetwork> AllowedIps { get; init; } = [];

    /// <summary>Seconds; null means the mode's default (25 for a client's hub, else off).</summary>
    public int? PersistentKeepalive { get; init; }

    public PresharedKey? PresharedKey { get; init; }

    /// <summary>Where it was defined, for errors found later (e.g. a duplicate); 0 if not from a file.</summary>
    public int Line { get; init; }

    /// <summary>Whether two entries configure a peer the same way (where it was written aside): a reload leaves such a peer alone.</summary>
    public static bool SameSettings(PeerConfiguration a, PeerConfiguration b) =>
        a.PublicKey == b.PublicKey
        && Equals(a.VirtualIP, b.VirtualIP)
        && a.Endpoint == b.Endpoint
        && a.AllowedIps.SequenceEqual(b.AllowedIps)
        && a.PersistentKeepalive == b.PersistentKeepalive
        && (a.PresharedKey, b.PresharedKey) switch
        {
            (null, null) => true,
            ({ } x, { } y) => x.SameBytesAs(y),
            _ => false,
        };
}
