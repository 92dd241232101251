using Taltun.Crypto;

namespace Taltun.Configuration;

/// <summary>
/// A spoke's configuration derived from its hub's: the client's own key and address (with the
/// hub's prefix length, so it routes the whole VPN subnet), the hub's MTU, and the hub as its
/// only peer at the endpoint clients reach it by. Values are parameter text; errors name the parameter.
/// </summary>
public sealed record ClientConfiguration
{
    public required string PrivateKey { get; init; }

    public required string VirtualIP { get; init; }

    /// <summary>The hub as clients reach it (the hub cannot know its public address).</summary>
    public required string Endpoint { get; init; }

    public IReadOnlyList<string> Routes { get; init; } = [];

    public string TunName { get; init; } = TunnelConfiguration.DefaultInterfaceName;

    public string LocalAddress { get; init; } = $"0.0.0.0:{TunnelOptions.DefaultPort}";

    public string? PresharedKey { get; init; }

    /// <summary>Name servers and search domains the client uses while connected, e.g. the hub's address.</summary>
    public IReadOnlyList<string> Dns { get; init; } = [];

    /// <summary>The client's configuration for the hub that runs <paramref name="hub"/> with public key <paramref name="hubKey"/>.</summary>
    public TunnelConfiguration For(TunnelConfiguration hub, PublicKey hubKey)
    {
        InterfaceAddress hubAddress = hub.Addresses[0];
        var address = new InterfaceAddress(ParameterValues.Host(VirtualIP, nameof(VirtualIP)), hubAddress.PrefixLength);
        string? problem = address.Address.Equals(hubAddress.Address) ? "is the hub's own address"
            : !hubAddress.Network.Contains(address.Address) ? $"is outside the hub's subnet {hubAddress.Network}"
            : InterfaceAddress.ReservedIn(hubAddress.Network, address.Address) is { } reserved ? $"is the {reserved} of the hub's subnet {hubAddress.Network}"
            : null;
        if (problem is not null)
        {
            throw ParameterValues.Invalid(nameof(VirtualIP), $"{address.Address} {problem}; give the client a host address of {hubAddress.Network}, the one given to Add-TaltunPeer.");
        }

        return new TunnelConfiguration
        {
            Mode = TunnelMode.Client,
            InterfaceName = TunName,
            Addresses = [address],
            ListenEndPoint = ParameterValues.ListenEndPoint(LocalAddress, nameof(LocalAddress)),
            PrivateKey = ParameterValues.PrivateKey(PrivateKey, nameof(PrivateKey)),
            Mtu = hub.Mtu,
            Routes = [.. Routes.Select(r => ParameterValues.Prefix(r, "Route"))],
            Dns = Dns.Count == 0 ? null : ParameterValues.Dns(Dns, nameof(Dns)),
            Peers =
            [
                new PeerConfiguration
                {
                    PublicKey = hubKey,
                    VirtualIP = hubAddress.Address,
                    Endpoint = ParameterValues.Endpoint(Endpoint, nameof(Endpoint)),
                    PresharedKey = PresharedKey is null ? null : ParameterValues.PresharedKey(PresharedKey, nameof(PresharedKey)),
                },
            ],
        };
    }
}
