using System.Collections.Concurrent;
using Taltun.Configuration;
using Taltun.Device;

namespace Taltun.PowerShell;

/// <summary>
/// The tunnels running in this PowerShell process. It is static, so every runspace of the process
/// (the main one, ThreadJobs, runspace pools) sees the same tunnels; tunnels are named after their
/// interface and a name is unique per process. Thread-safe.
/// </summary>
internal static class TunnelRegistry
{
    private static readonly ConcurrentDictionary<string, RegisteredTunnel> Tunnels = new(StringComparer.Ordinal);

    public static IReadOnlyList<RegisteredTunnel> All => [.. Tunnels.Values.OrderBy(t => t.Name, StringComparer.Ordinal)];

    public static bool TryGet(string name, out RegisteredTunnel tunnel) => Tunnels.TryGetValue(name, out tunnel!);

    public static bool TryAdd(RegisteredTunnel tunnel) => Tunnels.TryAdd(tunnel.Name, tunnel);

    /// <summary>Stops a tunnel and forgets it; false if no tunnel had that name.</summary>
    public static bool Stop(string name)
    {
        if (!Tunnels.TryRemove(name, out RegisteredTunnel? tunnel))
        {
            return false;
        }

        tunnel.Tunnel.Stop();
        return true;
    }

    /// <summary>Stops every tunnel: on Remove-Module and when the process exits.</summary>
    public static void StopAll()
    {
        foreach (string name in Tunnels.Keys)
        {
            Stop(name);
        }
    }
}

/// <summary>
/// A running tunnel and the configuration it runs with, kept current as peers are added and
/// removed so Save-TaltunConfig writes what runs. Thread-safe: the configuration is swapped whole.
/// </summary>
internal sealed class RegisteredTunnel(Tunnel tunnel, TunnelConfiguration configuration, string? networkNamespace)
{
    private readonly Lock _lock = new();
    private TunnelConfiguration _configuration = configuration;

    public string Name => Tunnel.InterfaceName;

    public Tunnel Tunnel { get; } = tunnel;

    public string? NetworkNamespace { get; } = networkNamespace;

    public TunnelConfiguration Configuration
    {
        get
        {
            lock (_lock)
            {
                return _configuration;
            }
        }
    }

    /// <summary>
    /// Adds a peer to the engine and the configuration together; throws (changing nothing) if
    /// either refuses. With <paramref name="movePrefixes"/> addresses other peers own move to it.
    /// </summary>
    public void AddPeer(PeerConfiguration peer, bool movePrefixes)
    {
        lock (_lock)
        {
            TunnelConfiguration next = _configuration.WithPeer(peer, movePrefixes);
            Tunnel.AddPeer(next.PeerOptionsFor(peer), movePrefixes);
            _configuration = next;
        }
    }

    public bool RemovePeer(Crypto.PublicKey publicKey)
    {
        lock (_lock)
        {
            if (!Tunnel.RemovePeer(publicKey))
            {
                return false;
            }

            _configuration = _configuration with { Peers = [.. _configuration.Peers.Where(p => p.PublicKey != publicKey)] };
            return true;
        }
    }
}
