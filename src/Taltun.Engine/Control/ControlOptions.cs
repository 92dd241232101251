namespace Taltun.Control;

/// <summary>
/// Where a tunnel's control socket lives, who besides root may use it, and the limits that keep
/// a broken or hostile local client from costing the tunnel anything but its own connection.
/// </summary>
public sealed record ControlOptions
{
    /// <summary>Where WireGuard's tools look for userspace tunnels (wg, wg-quick, exporters).</summary>
    public const string DefaultDirectory = "/var/run/wireguard";

    public string Directory { get; init; } = DefaultDirectory;

    /// <summary>A group whose members may operate the tunnel too (not read its keys); null: root and the tunnel's own user only.</summary>
    public string? Group { get; init; }

    /// <summary>Connections served at once; more are closed as they arrive.</summary>
    public int MaxConnections { get; init; } = 16;

    /// <summary>A client silent this long in the middle of a request is disconnected.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A request (and its reply) taking longer than this in all is abandoned.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest line of wg's protocol (a key line is 76 bytes).</summary>
    public int MaxLineBytes { get; init; } = 4096;

    /// <summary>The most one request may hold (a set of every peer of a large hub, a configuration file).</summary>
    public int MaxRequestBytes { get; init; } = 64 << 20;
}
