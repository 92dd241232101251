namespace Taltun.Configuration;

/// <summary>
/// Settings given on a command line to start a tunnel, each as typed: what is set replaces the
/// file's value (or the default, without a file). Parameter names in errors are the cmdlet's.
/// Immutable.
/// </summary>
public sealed record ConfigurationOverrides
{
    public TunnelMode? Mode { get; init; }

    public string? LocalAddress { get; init; }

    public string? PrivateKey { get; init; }

    /// <summary>A file holding the private key, already resolved to a file system path.</summary>
    public string? PrivateKeyPath { get; init; }

    public IReadOnlyList<string>? VirtualIP { get; init; }

    /// <summary>Peers; when set they replace the file's peers.</summary>
    public IReadOnlyList<PeerText>? Peers { get; init; }

    public string? TunName { get; init; }

    public int? Mtu { get; init; }

    public IReadOnlyList<string>? Routes { get; init; }

    /// <summary>Name servers and search domains; when set they replace the file's.</summary>
    public IReadOnlyList<string>? Dns { get; init; }

    /// <summary>The control group (checked by the cmdlet's parameter validation); when set it replaces the file's.</summary>
    public string? ControlGroup { get; init; }

    /// <summary>keep_warm; when set it replaces the file's.</summary>
    public bool? KeepWarm { get; init; }

    /// <summary>
    /// <paramref name="config"/> with every set value applied; throws <see cref="ConfigurationException"/>
    /// or <see cref="Crypto.KeyFormatException"/> naming the parameter of the first bad value.
    /// </summary>
    public TunnelConfiguration ApplyTo(TunnelConfiguration config)
    {
        if (PrivateKey is not null && PrivateKeyPath is not null)
        {
            throw new ConfigurationException(null, 0, "-PrivateKeyPath", "give -PrivateKey or -PrivateKeyPath, not both.");
        }

        if (Mode is { } mode)
        {
            config = config with { Mode = mode };
        }

        if (LocalAddress is not null)
        {
            config = config with { ListenEndPoint = ParameterValues.ListenEndPoint(LocalAddress, nameof(LocalAddress)) };
        }

        if (PrivateKey is not null)
        {
            config = config with { PrivateKey = ParameterValues.PrivateKey(PrivateKey, nameof(PrivateKey)), PrivateKeyFile = null };
        }

        if (PrivateKeyPath is not null)
        {
            config = config with
            {
                PrivateKey = ConfigurationFile.ReadPrivateKey(PrivateKeyPath, null, 0, "-" + nameof(PrivateKeyPath)),
                PrivateKeyFile = PrivateKeyPath,
                Warnings = ConfigurationFile.ExposedKeyWarning(PrivateKeyPath) is { } warning ? [.. config.Warnings, warning] : config.Warnings,
            };
        }

        if (VirtualIP is not null)
        {
            config = config with { Addresses = [.. VirtualIP.Select(v => ParameterValues.Address(v, nameof(VirtualIP)))] };
        }

        if (Peers is not null)
        {
            config = config with { Peers = [.. Peers.Select(p => ParameterValues.Peer(p, "Peer"))] };
        }

        if (TunName is not null)
        {
            config = config with { InterfaceName = TunName };
        }

        if (Mtu is { } mtu)
        {
            config = config with { Mtu = mtu };
        }

        if (Routes is not null)
        {
            config = config with { Routes = [.. Routes.Select(r => ParameterValues.Prefix(r, "Route"))] };
        }

        if (Dns is not null)
        {
            config = config with { Dns = Dns.Count == 0 ? null : ParameterValues.Dns(Dns, nameof(Dns)) };
        }

        if (ControlGroup is not null)
        {
            config = config with { ControlGroup = ControlGroup };
        }

        if (KeepWarm is { } keepWarm)
        {
            config = config with { KeepWarm = keepWarm };
        }

        return config;
    }
}
