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

/// <summary>A running tunnel of this process, with what PowerShell knows of it besides the engine. Thread-safe.</summary>
internal sealed class RegisteredTunnel(Tunnel tunnel, string? networkNamespace)
{
    public string Name => Tunnel.InterfaceName;

    public Tunnel Tunnel { get; } = tunnel;

    public string? NetworkNamespace { get; } = networkNamespace;

    /// <summary>The configuration as it runs now, with every peer added and removed since it started.</summary>
    public TunnelConfiguration Configuration => Tunnel.Configuration;

    /// <summary>
    /// Adds a peer to the engine and the running configuration together; throws (changing
    /// nothing) if either refuses. With <paramref name="movePrefixes"/> addresses other peers own move to it.
    /// </summary>
    public void AddPeer(PeerConfiguration peer, bool movePrefixes) => Tunnel.AddPeer(peer, movePrefixes);

    public bool RemovePeer(Crypto.PublicKey publicKey) => Tunnel.RemovePeer(publicKey);
}
