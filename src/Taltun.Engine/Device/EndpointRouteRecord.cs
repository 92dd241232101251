using System.Net;
using System.Text.Json;
using Taltun.Configuration;
using Taltun.Foundation;
using Taltun.Netlink;

namespace Taltun.Device;

/// <summary>
/// The routes a tunnel adds outside its own interface (its peers' endpoint host routes), recorded
/// under /run/taltun before each is added, so that the next start of the same tunnel removes them
/// if this process dies without stopping it (kill -9, a crash). Only these need it: the interface,
/// its addresses and its routes go when the kernel closes the dead process's TUN descriptor, while
/// a host route through the physical gateway stays, and the next start's identical route would
/// collide with it.
///
/// Why a record, not a search for routes carrying Taltun's protocol: two tunnels can keep routes to
/// one hub, and only the record says which process added which. A start removes what its record
/// lists only once that record's process is gone, and the kernel deletes a route only if it still
/// carries Taltun's protocol (<see cref="RouteNetlink.TaltunProtocol"/>), so a route someone put
/// in its place since stays. A record is found by the tunnel's name in its network namespace
/// (<see cref="RuntimeState.PathInThisNetworkNamespace"/>): the routes live there. A start reads
/// only its own name's record, once it has created its interface: holding that name is what keeps
/// two starts from removing the same dead routes while one of them adds its own again. A dead
/// tunnel whose name never starts again leaves its routes until reboot (README, Limits).
///
/// Not thread-safe: <see cref="NetworkSetup"/> calls it under its lock. Construct it on a thread in
/// the tunnel's network namespace.
/// </summary>
internal sealed class EndpointRouteRecord
{
    public const string Purpose = "routes";

    private readonly string _root;
    private readonly string _tunnel;
    private readonly TunnelLog _log;
    private bool _written;
    private bool _warned;

    public EndpointRouteRecord(string root, string tunnel, TunnelLog log)
    {
        _root = root;
        _tunnel = tunnel;
        _log = log;
        RecordPath = RuntimeState.PathInThisNetworkNamespace(root, tunnel, Purpose);
    }

    public string RecordPath { get; }

    /// <summary>
    /// Removes the routes a dead earlier run of this tunnel recorded, and its record. Throws
    /// <see cref="TunnelException"/> if the process that wrote the record still runs: its tunnel
    /// of this name lost its interface yet may hold its routes, and they are not this one's to take.
    /// </summary>
    public void RemoveAbandoned(RouteNetlink netlink)
    {
        if (!File.Exists(RecordPath))
        {
            return;
        }

        Contents earlier;
        List<EndpointRoute> routes;
        try
        {
            earlier = Read(RecordPath);
            routes = [.. earlier.Routes.Select(r => r.ToRoute())];
        }
        catch (Exception e) when (e is JsonException or SafeFileException or FormatException)
        {
            _log.Warning($"{RecordPath} is not a record of routes Taltun can read ({e.Message}); removed it. Routes it listed stay: 'ip route show proto {RouteNetlink.TaltunProtocol}' shows every route Taltun added.");
            RuntimeState.Delete(_root, RecordPath);
            return;
        }

        if (!RuntimeState.IsAbandoned(earlier.Pid, earlier.ProcessStart))
        {
            throw new TunnelException(TunnelError.InterfaceExists, $"Process {earlier.Pid} runs a tunnel named '{_tunnel}' in this network namespace and holds its routes ({RecordPath}), though its interface is gone; stop that tunnel first.");
        }

        var removed = new List<string>();
        foreach (EndpointRoute route in routes)
        {
            try
            {
                if (netlink.DeleteRoute(route.Index, route.Host, route.Gateway))
                {
                    removed.Add(route.ToString());
                }
            }
            catch (TunnelException e)
            {
                _log.Warning($"{e.Message} Remove it with 'ip route delete {route} proto {RouteNetlink.TaltunProtocol}'.");
            }
        }

        RuntimeState.Delete(_root, RecordPath);
        if (removed.Count > 0)
        {
            _log.Warning($"Tunnel '{_tunnel}' ended with its process ({earlier.Pid}) without stopping; removed the route(s) it had added outside its interface: {string.Join(", ", removed)}.");
        }
    }

    /// <summary>
    /// Records <paramref name="routes"/> as this tunnel's, replacing what was recorded; none removes
    /// the record. A record that cannot be written costs only the recovery after a crash, so it is
    /// a warning (once), not a failed start.
    /// </summary>
    public void Write(IReadOnlyCollection<EndpointRoute> routes)
    {
        if (routes.Count == 0)
        {
            Delete();
            return;
        }

        (int pid, long start) = RuntimeState.Owner;
        var contents = new Contents
        {
            Tunnel = _tunnel,
            Pid = pid,
            ProcessStart = start,
            Routes = [.. routes.Select(RecordedRoute.From)],
        };
        try
        {
            RuntimeState.Write(_root, RecordPath, JsonSerializer.Serialize(contents));
            _written = true;
        }
        catch (TunnelException e)
        {
            if (!_warned)
            {
                _log.Warning($"{e.Message} Should this process die, the next start of '{_tunnel}' cannot remove the routes it added outside its interface.");
            }

            _warned = true;
        }
    }

    /// <summary>Removes this tunnel's record, if it wrote one; a record another process wrote stays.</summary>
    public void Delete()
    {
        if (_written)
        {
            RuntimeState.Delete(_root, RecordPath);
            _written = false;
        }
    }

    private static Contents Read(string path) =>
        JsonSerializer.Deserialize<Contents>(SafeFile.ReadText(path)) ?? throw new JsonException("empty");

    /// <summary>What /run/taltun keeps: the process that added the routes, and each route as the kernel was asked for it.</summary>
    internal sealed record Contents
    {
        public string Tunnel { get; init; } = string.Empty;

        public int Pid { get; init; }

        public long ProcessStart { get; init; }

        public IReadOnlyList<RecordedRoute> Routes { get; init; } = [];
    }

    internal sealed record RecordedRoute
    {
        public string Destination { get; init; } = string.Empty;

        public string? Gateway { get; init; }

        public int Interface { get; init; }

        public static RecordedRoute From(EndpointRoute route) => new()
        {
            Destination = route.Host.ToString(),
            Gateway = route.Gateway?.ToString(),
            Interface = route.Index,
        };

        public EndpointRoute ToRoute() => new(IPNetwork.Parse(Destination), Interface, Gateway is null ? null : IPAddress.Parse(Gateway));
    }
}
