using Taltun.Protocol;
using Taltun.Transport;

namespace Taltun.Device;

/// <summary>
/// WireGuard's roaming: a peer's endpoint becomes the source of its latest authenticated packet.
/// Allocation-free while the peer stays put (the sockaddr is compared in place). Thread-safe: the
/// endpoint is swapped whole.
/// </summary>
internal static class Roaming
{
    public static void Follow(Peer peer, ReadOnlySpan<byte> source, TunnelLog log)
    {
        if (peer.Endpoint is { } current && current.Matches(source))
        {
            return;
        }

        if (UdpEndpoint.FromSockAddr(source) is { } endpoint)
        {
            peer.Endpoint = endpoint;
            log.Information($"Peer {peer.PublicKey} is now at {endpoint}.");
        }
    }
}
