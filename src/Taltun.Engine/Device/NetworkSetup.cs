using System.Net;
using Taltun.Configuration;
using Taltun.Foundation;
using Taltun.Netlink;

namespace Taltun.Device;

/// <summary>
/// What a tunnel changes on the system besides creating its interface: MTU, link state,
/// addresses and routes, each recorded as it succeeds so <see cref="Revert"/> removes exactly
/// those and nothing else. Routes for peers' allowed IPs are reference-counted, since a
/// configured route and a peer can name the same prefix. The routes it adds outside the
/// interface are also recorded under /run/taltun (<see cref="EndpointRouteRecord"/>), so a later
/// start removes them if this process dies first.
///
/// Thread-safe: every change happens under one lock. Construct on a thread in the tunnel's
/// network namespace.
/// </summary>
internal sealed class NetworkSetup
{
    private readonly RouteNetlink _netlink;
    private readonly TunnelLog _log;
    private readonly List<InterfaceAddress> _addresses = [];
    private readonly Dictionary<IPNetwork, int> _routeUsers = [];
    private readonly List<IPNetwork> _routeOrder = [];
    private readonly List<EndpointRoute> _exceptions = [];
    private readonly EndpointRouteRecord _record;

    // Documentation addresses (RFC 5737, RFC 3849): looking up their route sends nothing, and it
    // is the path "everything else" took before the tunnel's routes existed.
    private static readonly IPAddress OutsideV4 = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress OutsideV6 = IPAddress.Parse("2001:db8::1");

    private (int Index, IPAddress? Gateway)? _outsideV4;
    private (int Index, IPAddress? Gateway)? _outsideV6;
    private readonly IReadOnlyList<InterfaceAddress> _configuredAddresses;
    private readonly Lock _lock = new();

    public NetworkSetup(RouteNetlink netlink, string interfaceName, int interfaceIndex, IReadOnlyList<InterfaceAddress> addresses, TunnelLog log)
    {
        _netlink = netlink;
        InterfaceName = interfaceName;
        InterfaceIndex = interfaceIndex;
        _configuredAddresses = addresses;
        _log = log;
        _record = new EndpointRouteRecord(RuntimeState.DefaultRoot, interfaceName, log);
    }

    public string InterfaceName { get; }

    public int InterfaceIndex { get; }

    /// <summary>False as wg-quick's Table = off: no routes at all, the kernel's own for each address's subnet aside.</summary>
    public bool AddRoutes { get; init; } = true;

    /// <summary>
    /// Removes what a dead earlier run of this tunnel left outside its interface, then MTU,
    /// addresses, link up, then the configured routes; throws on the first refusal (the caller
    /// reverts). A peer endpoint that the tunnel's routes would swallow (a full tunnel to a hub
    /// beyond the LAN) keeps its current path through a host route, as OpenVPN's def1 does, so
    /// the tunnel's own packets never loop into it.
    /// </summary>
    public void Apply(int mtu, IReadOnlyList<IPNetwork> routes, IReadOnlyList<IPNetwork> peerRoutes, IEnumerable<IPAddress> endpoints)
    {
        if (!AddRoutes)
        {
            (routes, peerRoutes, endpoints) = ([], [], []);
        }

        lock (_lock)
        {
            // First, so the paths looked up next are the ones the system has without the leftovers.
            _record.RemoveAbandoned(_netlink);
            var covered = routes.Concat(peerRoutes.Where(p => p.PrefixLength > 0)).ToList();
            var exceptions = new List<(IPAddress Endpoint, (int Index, IPAddress? Gateway) Path)>();
            foreach (IPAddress endpoint in endpoints.Distinct())
            {
                if (covered.Any(r => r.Contains(endpoint)) && _netlink.RouteTo(endpoint) is { } path && path.Index != InterfaceIndex)
                {
                    exceptions.Add((endpoint, path));
                }
            }

            _outsideV4 = _netlink.RouteTo(OutsideV4);
            _outsideV6 = _netlink.RouteTo(OutsideV6);

            _netlink.SetMtu(InterfaceIndex, InterfaceName, mtu);
            foreach (InterfaceAddress address in _configuredAddresses)
            {
                _netlink.AddAddress(InterfaceIndex, InterfaceName, address.Network, address.Address);
                _addresses.Add(address);
            }

            _netlink.SetUp(InterfaceIndex, InterfaceName);
            foreach ((IPAddress endpoint, (int Index, IPAddress? Gateway) path) in exceptions)
            {
                AddExceptionLocked(endpoint, path);
            }

            foreach (IPNetwork route in routes)
            {
                AcquireLocked(route);
            }
        }
    }

    /// <summary>
    /// For a peer added while the tunnel runs: if the tunnel's routes now capture its endpoint,
    /// route the endpoint the way everything else went before the tunnel started.
    /// </summary>
    public void ProtectEndpoint(IPAddress endpoint)
    {
        lock (_lock)
        {
            IPNetwork host = new InterfaceAddress(endpoint, 0).Host;
            if (_exceptions.Any(e => e.Host == host) || _netlink.RouteTo(endpoint) is not { } now || now.Index != InterfaceIndex)
            {
                return;
            }

            if ((endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? _outsideV4 : _outsideV6) is not { } outside || outside.Index == InterfaceIndex)
            {
                _log.Warning($"Peer endpoint {endpoint} is routed into the tunnel itself and there was no route outside it to keep; add a host route to it.");
                return;
            }

            try
            {
                AddExceptionLocked(endpoint, outside);
            }
            catch (TunnelException e)
            {
                _log.Warning(e.Message);
            }
        }
    }

    /// <summary>Adds a kernel route for a peer's allowed IP unless the interface's own subnet already covers it, or it is a default route.</summary>
    public void AcquirePeerRoute(IPNetwork prefix)
    {
        if (!AddRoutes)
        {
            return;
        }

        if (prefix.PrefixLength == 0)
        {
            if (!CoversEverything(prefix))
            {
                _log.Warning($"No kernel route added for {prefix}: it would replace the default route. For a full tunnel, configure routes 0.0.0.0/1 and 128.0.0.0/1 (or ::/1 and 8000::/1).");
            }

            return;
        }

        if (IsOnLink(prefix))
        {
            return;
        }

        lock (_lock)
        {
            try
            {
                AcquireLocked(prefix);
            }
            catch (TunnelException e)
            {
                _log.Warning($"{e.Message} Packets to {prefix} will not enter the tunnel until a route exists.");
            }
        }
    }

    public void ReleasePeerRoute(IPNetwork prefix)
    {
        if (!AddRoutes || prefix.PrefixLength == 0 || IsOnLink(prefix))
        {
            return;
        }

        lock (_lock)
        {
            if (!_routeUsers.TryGetValue(prefix, out int users))
            {
                return;
            }

            if (users > 1)
            {
                _routeUsers[prefix] = users - 1;
                return;
            }

            _routeUsers.Remove(prefix);
            _routeOrder.Remove(prefix);
            TryDelete(() => _netlink.DeleteRoute(InterfaceIndex, prefix));
        }
    }

    /// <summary>The routes Taltun added and still holds.</summary>
    public IReadOnlyList<IPNetwork> Routes
    {
        get
        {
            lock (_lock)
            {
                return [.. _routeOrder];
            }
        }
    }

    /// <summary>Removes every route and address this setup added, newest first. Failures are logged, not thrown: the interface goes away next anyway.</summary>
    public void Revert()
    {
        lock (_lock)
        {
            for (int i = _routeOrder.Count - 1; i >= 0; i--)
            {
                IPNetwork route = _routeOrder[i];
                TryDelete(() => _netlink.DeleteRoute(InterfaceIndex, route));
            }

            _routeOrder.Clear();
            _routeUsers.Clear();
            foreach (EndpointRoute route in _exceptions)
            {
                TryDelete(() => _netlink.DeleteRoute(route.Index, route.Host, route.Gateway));
            }

            _exceptions.Clear();
            _record.Delete();
            for (int i = _addresses.Count - 1; i >= 0; i--)
            {
                InterfaceAddress address = _addresses[i];
                TryDelete(() => _netlink.DeleteAddress(InterfaceIndex, InterfaceName, address.Network, address.Address));
            }

            _addresses.Clear();
        }
    }

    private void AddExceptionLocked(IPAddress endpoint, (int Index, IPAddress? Gateway) path)
    {
        var route = new EndpointRoute(new InterfaceAddress(endpoint, 0).Host, path.Index, path.Gateway);

        // Recorded before it exists: a death between the two leaves a record of a route that is
        // not there, which the next start finds gone; the other order would leave a route nobody knows of.
        _record.Write([.. _exceptions, route]);
        bool added;
        try
        {
            added = _netlink.AddRouteIfAbsent(route.Index, route.Host, route.Gateway);
        }
        catch (TunnelException)
        {
            _record.Write(_exceptions);
            throw;
        }

        if (!added)
        {
            // Someone else's route to the endpoint (another tunnel's, an administrator's) already
            // keeps it outside: it is theirs to keep and to remove.
            _record.Write(_exceptions);
            _log.Information($"A route to {route.Host} is there already and is not this tunnel's; it keeps the peer endpoint outside the tunnel's routes and stays when the tunnel stops.");
            return;
        }

        _exceptions.Add(route);
        _log.Information($"Route {route} dev {_netlink.DescribeLink(route.Index)} keeps the peer endpoint outside the tunnel's routes.");
    }

    private void AcquireLocked(IPNetwork prefix)
    {
        if (_routeUsers.TryGetValue(prefix, out int users))
        {
            _routeUsers[prefix] = users + 1;
            return;
        }

        _netlink.AddRoute(InterfaceIndex, prefix);
        _routeUsers[prefix] = 1;
        _routeOrder.Add(prefix);
    }

    /// <summary>True if this setup's routes already send everything of <paramref name="all"/>'s family into the tunnel (its two halves).</summary>
    private bool CoversEverything(IPNetwork all)
    {
        lock (_lock)
        {
            return _routeUsers.Keys.Count(r => r.PrefixLength == 1 && r.BaseAddress.AddressFamily == all.BaseAddress.AddressFamily) == 2;
        }
    }

    private bool IsOnLink(IPNetwork prefix)
    {
        foreach (InterfaceAddress address in _configuredAddresses)
        {
            IPNetwork subnet = address.Network;
            if (prefix.PrefixLength >= subnet.PrefixLength && subnet.Contains(prefix.BaseAddress))
            {
                return true;
            }
        }

        return false;
    }

    private void TryDelete(Func<bool> delete)
    {
        try
        {
            delete();
        }
        catch (TunnelException e)
        {
            _log.Warning(e.Message);
        }
    }
}
