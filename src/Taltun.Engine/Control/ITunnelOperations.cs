using Taltun.Configuration;
using Taltun.Crypto;
using Taltun.Device;
using Taltun.Foundation;

namespace Taltun.Control;

/// <summary>
/// What can be done to a running tunnel, the same whether it runs in this process
/// (<see cref="TunnelControl"/>) or in another, reached over its control socket
/// (<see cref="ControlClient"/>): so every cmdlet works on either. Refusals are the engine's own
/// exceptions (<see cref="ConfigurationException"/>, <see cref="TunnelException"/>,
/// <see cref="KeyFormatException"/>, <see cref="SafeFileException"/>), rebuilt on this side when
/// they come over the socket.
/// </summary>
public interface ITunnelOperations
{
    string Name { get; }

    /// <summary>The tunnel and what its host knows of it.</summary>
    TunnelReport Report();

    /// <summary>One peer's status, or null if there is no such peer.</summary>
    PeerStatus? PeerStatus(PublicKey publicKey);

    IReadOnlyList<TunnelLogEntry> Log();

    /// <summary>The configuration as it runs now; without <paramref name="secrets"/> the private and preshared keys are left out.</summary>
    TunnelConfiguration Configuration(bool secrets);

    /// <summary>Adds a peer (or with <paramref name="checkOnly"/> only checks it); returns the warnings.</summary>
    IReadOnlyList<string> AddPeer(PeerConfiguration peer, bool movePrefixes, bool checkOnly);

    bool RemovePeer(PublicKey publicKey);

    /// <summary>Applies an update as Set-TaltunPeer builds one (errors name its parameters); returns the warnings.</summary>
    IReadOnlyList<string> Apply(TunnelUpdate update);

    /// <summary>Reloads the tunnel from a configuration's text (read from <paramref name="path"/>); returns the warnings.</summary>
    IReadOnlyList<string> Reload(string text, string path);

    /// <summary>Stops the tunnel as its host stops it (saving first where it asks to); returns what failed on the way.</summary>
    IReadOnlyList<Exception> StopTunnel();
}

/// <summary>A tunnel's status and how its host runs it.</summary>
public sealed record TunnelReport(TunnelStatus Status, TunnelHostInfo Host);

/// <summary>
/// What the program running a tunnel knows of it besides the engine: its mode, the file it came
/// from, the network namespace it was started in (null: the process's own) and that namespace's
/// identity, and the process.
/// </summary>
public sealed record TunnelHostInfo(TunnelMode Mode, string? ConfigPath, string? NetworkNamespace, ulong NetworkNamespaceId, int ProcessId);
