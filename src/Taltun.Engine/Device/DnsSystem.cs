namespace Taltun.Device;

/// <summary>How a tunnel's DNS settings reach the resolver.</summary>
internal enum DnsMethod
{
    /// <summary>systemd-resolved runs: the settings belong to the interface (resolvectl dns/domain), and go with it.</summary>
    Resolvectl,

    /// <summary>resolvconf (openresolv, or Debian's): a record named after the interface, as wg-quick adds one.</summary>
    Resolvconf,

    /// <summary>A tunnel in a named network namespace: /etc/netns/NAME/resolv.conf, which ip netns exec shows as /etc/resolv.conf.</summary>
    NamespaceFile,
}

/// <summary>Where DNS tools and files are; tests point these at their own.</summary>
internal sealed record DnsSystem
{
    public string StateRoot { get; init; } = RuntimeState.DefaultRoot;

    public string NamespaceConfigRoot { get; init; } = "/etc/netns";

    public string? Resolvectl { get; init; } = Program("resolvectl");

    public string? Resolvconf { get; init; } = Program("resolvconf");

    /// <summary>systemd-resolved's socket: it exists while the service runs.</summary>
    public string ResolvedSocket { get; init; } = "/run/systemd/resolve/io.systemd.Resolve";

    private static string? Program(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':')
            .Append("/usr/sbin").Append("/sbin")
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
