using Taltun.Crypto;
using Taltun.Tests.Interop;

namespace Taltun.Tests.PowerShell;

/// <summary>
/// What a test of the cmdlets against real tunnels needs: a runspace, a namespace the test
/// creates for its tunnels, the tunnel's key and a scratch directory; Dispose stops the tunnels
/// and removes the rest, pass or fail.
/// </summary>
internal sealed class NamespacedSession : IDisposable
{
    public NamespacedSession(string prefix)
    {
        Namespace = new NetworkNamespace(prefix);
        Directory = System.IO.Directory.CreateTempSubdirectory(prefix + "-").FullName;
    }

    public NetworkNamespace Namespace { get; }

    public PowerShellSession Session { get; } = new();

    public PrivateKey Key { get; } = PrivateKey.Generate();

    public string Directory { get; }

    /// <summary>Starts a tunnel with <see cref="Key"/> inside <see cref="Namespace"/>.</summary>
    public void StartTunnel(string name, string virtualIP) =>
        Session.Run($"Start-TaltunTunnel -TunName {name} -VirtualIP {virtualIP} -PrivateKey '{Key.ToBase64()}' -NetworkNamespace {Namespace.Name}");

    public void Dispose()
    {
        Session.Dispose();
        Namespace.Dispose();
        Key.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
