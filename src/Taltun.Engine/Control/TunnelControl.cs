using Taltun.Configuration;
using Taltun.Crypto;
using Taltun.Device;

namespace Taltun.Control;

/// <summary>
/// The operations on a tunnel of this process: the engine called directly. Its host (the
/// PowerShell module, a bench program) says how it stops the tunnel, since stopping may mean
/// more than the engine's Stop (saving the configuration first, forgetting the tunnel).
/// Thread-safe, as the tunnel is.
/// </summary>
public sealed class TunnelControl(Tunnel tunnel, string? networkNamespace, Func<IReadOnlyList<Exception>>? stop = null) : ITunnelOperations
{
    public Tunnel Tunnel { get; } = tunnel;

    public string Name => Tunnel.InterfaceName;

    public TunnelReport Report()
    {
        TunnelConfiguration config = Tunnel.InterfaceConfiguration;
        return new TunnelReport(Tunnel.GetStatus(), new TunnelHostInfo(config.Mode, config.SourcePath, networkNamespace, Tunnel.NetworkNamespaceId, Environment.ProcessId));
    }

    public PeerStatus? PeerStatus(PublicKey publicKey) => Tunnel.GetPeerStatus(publicKey);

    public IReadOnlyList<TunnelLogEntry> Log() => Tunnel.Log.Entries;

    public TunnelConfiguration Configuration(bool secrets)
    {
        TunnelConfiguration config = Tunnel.Configuration;
        return secrets ? config : config with
        {
            PrivateKey = null,
            Peers = [.. config.Peers.Select(p => p.PresharedKey is null ? p : p with { PresharedKey = null })],
        };
    }

    public IReadOnlyList<string> AddPeer(PeerConfiguration peer, bool movePrefixes, bool checkOnly)
    {
        if (checkOnly)
        {
            Tunnel.CheckPeer(peer, movePrefixes);
            return [];
        }

        return [.. Tunnel.Log.WarningsOf(() => Tunnel.AddPeer(peer, movePrefixes)).Select(e => e.Message)];
    }

    public bool RemovePeer(PublicKey publicKey) => Tunnel.RemovePeer(publicKey);

    public IReadOnlyList<string> Apply(TunnelUpdate update) => Tunnel.Apply(update, UpdateNames.Parameters);

    public IReadOnlyList<string> Reload(string text, string path) => Tunnel.Reload(ConfigurationFile.Parse(text, path));

    /// <summary>
    /// Reads the file the tunnel came from again and makes the tunnel match it, as SIGHUP asks a
    /// foreground tunnel to (systemctl reload). The outcome is logged, an invalid file as an error
    /// that changed nothing; never throws, since no one is there to catch it.
    /// </summary>
    public void ReloadFromSource()
    {
        if (Tunnel.InterfaceConfiguration.SourcePath is not { } path)
        {
            Tunnel.Log.Warning($"Tunnel '{Name}' was not started from a file, so there is nothing to reload it from.");
            return;
        }

        try
        {
            Tunnel.Reload(ConfigurationFile.Load(path));
        }
        catch (Exception e) when (Refusal.Is(e))
        {
            Tunnel.Log.Error($"Reloading tunnel '{Name}' from {path} failed, and it runs on unchanged: {e.Message}");
        }
    }

    public IReadOnlyList<Exception> StopTunnel() => stop is null ? [.. Tunnel.Stop()] : stop();
}
