using System.Net;

namespace Taltun.Device;

/// <summary>A host route that keeps a peer endpoint on the path it had before the tunnel's routes captured it: out of interface <paramref name="Index"/>, via <paramref name="Gateway"/> if there is one.</summary>
internal readonly record struct EndpointRoute(IPNetwork Host, int Index, IPAddress? Gateway)
{
    /// <summary>"HOST/32 via GATEWAY", as ip route writes it (the interface is named by the caller, who can look it up).</summary>
    public override string ToString() => Gateway is null ? Host.ToString() : $"{Host} via {Gateway}";
}
