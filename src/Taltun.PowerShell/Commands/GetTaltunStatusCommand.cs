using System.Management.Automation;

namespace Taltun.PowerShell.Commands;

/// <summary>Gets the Taltun tunnels running on this host — this PowerShell process's and those other processes serve — or their peers, with live counters.</summary>
[Cmdlet(VerbsCommon.Get, "TaltunStatus", DefaultParameterSetName = TunnelSet)]
[OutputType(typeof(TaltunTunnel), ParameterSetName = [TunnelSet])]
[OutputType(typeof(TaltunPeer), ParameterSetName = [PeerSet])]
public sealed class GetTaltunStatusCommand : TunnelSelectionCommand
{
    private const string TunnelSet = "Tunnel";
    private const string PeerSet = "Peer";

    /// <summary>Return the peers of the selected tunnels instead of the tunnels.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PeerSet)]
    public SwitchParameter Peer { get; set; }

    /// <summary>Only peers with these public keys (implies -Peer); tab completion offers the peers.</summary>
    [Parameter(ParameterSetName = PeerSet)]
    [ArgumentCompleter(typeof(PeerKeyCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? PublicKey { get; set; }

    protected override void ProcessRecord()
    {
        foreach (ListedTunnel listed in SelectTunnels())
        {
            if (!TunnelLookup.TryRun(this, listed, t => t.Report(), out var report))
            {
                continue;
            }

            TaltunTunnel tunnel = StatusSnapshot.Of(report);
            if (!Peer)
            {
                WriteObject(tunnel);
                continue;
            }

            foreach (TaltunPeer peer in tunnel.Peers)
            {
                if (PublicKey is null || PublicKey.Contains(peer.PublicKey, StringComparer.Ordinal))
                {
                    WriteObject(peer);
                }
            }
        }
    }
}
