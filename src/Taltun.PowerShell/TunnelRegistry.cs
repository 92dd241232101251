using System.Collections.Concurrent;
using Taltun.Configuration;
using Taltun.Control;
using Taltun.Device;

namespace Taltun.PowerShell;

/// <summary>
/// The tunnels running in this PowerShell process. It is static, so every runspace of the process
/// (the main one, ThreadJobs, runspace pools) sees the same tunnels; tunnels are named after their
/// interface and a name is unique per host, since each serves /var/run/wireguard/NAME.sock.
/// Thread-safe.
/// </summary>
internal static class TunnelRegistry
{
    private static readonly ConcurrentDictionary<string, RegisteredTunnel> Tunnels = new(StringComparer.Ordinal);

    public static IReadOnlyList<RegisteredTunnel> All => [.. Tunnels.Values.OrderBy(t => t.Name, StringComparer.Ordinal)];

    public static bool TryGet(string name, out RegisteredTunnel tunnel) => Tunnels.TryGetValue(name, out tunnel!);

    public static bool TryAdd(RegisteredTunnel tunnel) => Tunnels.TryAdd(tunnel.Name, tunnel);

    /// <summary>Stops a tunnel and forgets it; null if no tunnel had that name, else what went wrong on the way (the stop completed).</summary>
    public static IReadOnlyList<Exception>? Stop(string name) =>
        Tunnels.TryRemove(name, out RegisteredTunnel? tunnel) ? tunnel.Stop() : null;

    /// <summary>Stops this tunnel, and forgets it if it is the one registered under its name (it may not be yet).</summary>
    public static IReadOnlyList<Exception> Stop(RegisteredTunnel tunnel)
    {
        Tunnels.TryRemove(new KeyValuePair<string, RegisteredTunnel>(tunnel.Name, tunnel));
        return tunnel.Stop();
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
/// A running tunnel of this process, with what PowerShell knows of it besides the engine, and its
/// control socket, through which wg and the cmdlets of other processes reach it. Thread-safe.
/// </summary>
internal sealed class RegisteredTunnel
{
    public RegisteredTunnel(Tunnel tunnel, string? networkNamespace)
    {
        Tunnel = tunnel;
        NetworkNamespace = networkNamespace;
        Control = new TunnelControl(tunnel, networkNamespace, () => TunnelRegistry.Stop(this));
    }

    public string Name => Tunnel.InterfaceName;

    public Tunnel Tunnel { get; }

    public string? NetworkNamespace { get; }

    /// <summary>The operations the cmdlets use, here and (over the control socket) in other processes.</summary>
    public TunnelControl Control { get; }

    /// <summary>Its control socket once it serves one.</summary>
    public ControlServer? Server { get; set; }

    /// <summary>The configuration as it runs now, with every peer added and removed since it started.</summary>
    public TunnelConfiguration Configuration => Tunnel.Configuration;

    /// <summary>
    /// Saves the configuration back to its file if it asks for that (save_config, wg-quick's
    /// SaveConfig), as wg-quick saves before taking the interface down, then stops the tunnel.
    /// Returns what failed; the tunnel is stopped whatever failed.
    /// </summary>
    public IReadOnlyList<Exception> Stop()
    {
        var problems = new List<Exception>();
        TunnelConfiguration config = Configuration;
        if (config.SaveConfig && config.SourcePath is { } path)
        {
            try
            {
                ConfigurationFile.Save(config, path);
            }
            catch (SafeFileException e)
            {
                problems.Add(e);
            }
        }

        problems.AddRange(Tunnel.Stop());
        return problems;
    }
}
