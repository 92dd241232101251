using Taltun.Crypto;

namespace Taltun.Configuration;

/// <summary>How the keys of an update are named in its errors: the userspace API's keys, or a cmdlet's parameters.</summary>
public sealed record UpdateNames(string PublicKey, string Endpoint, string PersistentKeepalive, string AllowedIps, bool AreParameters)
{
    public static readonly UpdateNames Uapi = new("public_key", "endpoint", "persistent_keepalive_interval", "allowed_ip", AreParameters: false);

    public static readonly UpdateNames Parameters = new("PublicKey", "Endpoint", "PersistentKeepalive", "AllowedIPs", AreParameters: true);

    /// <summary>An error about <paramref name="key"/> (one of the names above): a parameter is written with its dash.</summary>
    public ConfigurationException Invalid(string key, string problem) =>
        AreParameters ? ParameterValues.Invalid(key, problem) : new ConfigurationException(null, 0, key, problem);
}

/// <summary>What a planned update changes: interface values, and the peers that leave, join and change (with the engine's options for the latter two).</summary>
public sealed record ConfigurationDelta
{
    public PrivateKey? PrivateKey { get; init; }

    public int? ListenPort { get; init; }

    public uint? FirewallMark { get; init; }

    public IReadOnlyList<PublicKey> Removed { get; init; } = [];

    public IReadOnlyList<PeerDifference> Added { get; init; } = [];

    public IReadOnlyList<PeerDifference> Changed { get; init; } = [];

    /// <summary>For a reload: the interface part of the configuration from now on (null: as it was, with the values above).</summary>
    public TunnelConfiguration? Interface { get; init; }

    /// <summary>Things the user should know that do not stop the update (a peer left without addresses).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>A peer before (null if new) and after an update, and the engine's options for it after.</summary>
public sealed record PeerDifference(PeerConfiguration? Before, PeerConfiguration After, PeerOptions Options);
