using System.Net;
using Taltun.Foundation;
using Taltun.Netlink;
using Taltun.Tests.Interop;

namespace Taltun.Tests.Netlink;

/// <summary>Taltun's rtnetlink requests against the kernel, in a namespace of the test's own (tcr-…) with only its loopback.</summary>
[Collection(InteropCollection.Name)]
public sealed class RouteNetlinkTests : IDisposable
{
    private static readonly IPNetwork Destination = IPNetwork.Parse("10.77.0.0/24");
    private readonly NetworkNamespace _namespace = new("tcr-nl");

    [Theory]
    [InlineData("10.77.0.0/24")]
    [InlineData("fd00:77::/64")]
    public void ADeleteRemovesTheRouteTaltunAddedButNotOneSomeoneElseAddedToTheSameDestination(string prefix)
    {
        IPNetwork destination = IPNetwork.Parse(prefix);
        _namespace.Exec("ip", "route", "add", prefix, "dev", "lo", "proto", "static", "metric", "1024");

        Assert.False(InNamespace(netlink => netlink.DeleteRoute(netlink.LinkIndex("lo"), destination)));
        Assert.Contains("proto 4", Routes(prefix));

        _namespace.Exec("ip", "route", "delete", prefix);
        InNamespace(netlink =>
        {
            netlink.AddRoute(netlink.LinkIndex("lo"), destination);
            return true;
        });
        Assert.Contains("proto 84", Routes(prefix));
        Assert.True(InNamespace(netlink => netlink.DeleteRoute(netlink.LinkIndex("lo"), destination)));
        Assert.Empty(Routes(prefix));
    }

    [Fact]
    public void ARefusedRouteNamesItsInterfaceByNameOrSaysTheIndexIsGone()
    {
        TunnelException exists = Assert.Throws<TunnelException>(() => InNamespace(netlink =>
        {
            netlink.AddRoute(netlink.LinkIndex("lo"), Destination);
            netlink.AddRoute(netlink.LinkIndex("lo"), Destination);
            return true;
        }));
        TunnelException gone = Assert.Throws<TunnelException>(() => InNamespace(netlink =>
        {
            netlink.AddRoute(4242, IPNetwork.Parse("10.78.0.0/24"), IPAddress.Parse("10.77.0.1"));
            return true;
        }));

        Assert.Equal($"Netlink refused adding route {Destination} dev 'lo' (EEXIST: File exists).", exists.Message);
        Assert.StartsWith("Netlink refused adding route 10.78.0.0/24 via 10.77.0.1 dev index 4242 (no interface has that index now)", gone.Message);
        Assert.Equal("lo", InNamespace(netlink => netlink.LinkName(1)));
    }

    public void Dispose() => _namespace.Dispose();

    private T InNamespace<T>(Func<RouteNetlink, T> action) => _namespace.Invoke(() =>
    {
        using RouteNetlink netlink = RouteNetlink.Open();
        return action(netlink);
    });

    private string Routes(string prefix) => _namespace.Exec("ip", "-N", prefix.Contains(':', StringComparison.Ordinal) ? "-6" : "-4", "route", "show", prefix).Trim();
}
