using System.Net;
using Taltun.Routing;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Device;

/// <summary>
/// A hub and two spokes, each in its own namespace; every spoke reaches the hub over its own
/// veth (the "internet", 10.99.N.0/24). Tunnel subnet 10.0.0.0/24: hub .1, spokes .2 and .3.
/// Spokes know the hub's endpoint and route the whole subnet to it; the hub knows no endpoints
/// (its spokes roam) and routes each spoke's /32. IP forwarding stays off everywhere.
/// </summary>
internal sealed class HubAndSpokes : IDisposable
{
    private readonly bool _clampMss;
    private readonly bool _fullTunnel;

    public HubAndSpokes(int spokes = 2, bool clampMss = true, bool fullTunnel = false, int tunQueues = 1, bool offloads = true, RelayPolicy? relay = null, int receiveThreads = 2)
    {
        _clampMss = clampMss;
        _fullTunnel = fullTunnel;
        Hub = new TunnelHost("hub", "10.0.0.1") { TunQueues = tunQueues, ReceiveThreads = receiveThreads, UseOffloads = offloads, Relay = relay ?? RelayPolicy.All };
        try
        {
            for (int i = 1; i <= spokes; i++)
            {
                var spoke = new TunnelHost($"spoke{i}", $"10.0.0.{i + 1}") { TunQueues = tunQueues, ReceiveThreads = receiveThreads, UseOffloads = offloads };
                Spokes.Add(spoke);
                NetworkNamespace.Connect(Hub.Namespace, $"10.99.{i}.1/24", spoke.Namespace, $"10.99.{i}.2/24");
            }

            Hub.Start([.. Spokes.Select(s => s.AsPeer(null, $"{s.TunnelAddress}/32"))], clampMss: clampMss);
            for (int i = 0; i < Spokes.Count; i++)
            {
                StartSpoke(i);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public TunnelHost Hub { get; }

    public List<TunnelHost> Spokes { get; } = [];

    public static string HubEndpoint(int spoke, int port = 9000) => $"10.99.{spoke + 1}.1:{port}";

    /// <summary>Starts spoke i; a full-tunnel spoke routes 0.0.0.0/1 and 128.0.0.0/1 through the hub too.</summary>
    public void StartSpoke(int i, int port = 9000) => Spokes[i].Start(
        [Hub.AsPeer(HubEndpoint(i), _fullTunnel ? ["10.0.0.0/24", "0.0.0.0/1", "128.0.0.0/1"] : ["10.0.0.0/24"])],
        port,
        routes: _fullTunnel ? [IPNetwork.Parse("0.0.0.0/1"), IPNetwork.Parse("128.0.0.0/1")] : null,
        clampMss: _clampMss);

    public void Dispose()
    {
        foreach (TunnelHost spoke in Spokes)
        {
            spoke.Dispose();
        }

        Hub.Dispose();
    }
}
