using System.Management.Automation;

namespace Taltun.PowerShell.Commands;

/// <summary>Gets the running Taltun tunnels of this PowerShell process, or their peers, with live counters.</summary>
[Cmdlet(VerbsCommon.Get, "TaltunStatus", DefaultParameterSetName = TunnelSet)]
[OutputType(typeof(TaltunTunnel), ParameterSetName = [TunnelSet])]
[OutputType(typeof(TaltunPeer), ParameterSetName = [PeerSet])]
public sealed class GetTaltunStatusCommand : PSCmdlet
{
    private const string TunnelSet = "Tunnel";
    private const string PeerSet = "Peer";

    /// <summary>Tunnel names (wildcards allowed); all when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TunnelNameCompleter))]
    [SupportsWildcards]
    [Alias("Tunnel")]
    public string[]? Name { get; set; }

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
        foreach (RegisteredTunnel registered in Select())
        {
            TaltunTunnel tunnel = StatusSnapshot.Of(registered);
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

    private IEnumerable<RegisteredTunnel> Select()
    {
        if (Name is null)
        {
            return TunnelRegistry.All;
        }

        var selected = new List<RegisteredTunnel>();
        foreach (string name in Name)
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var matches = TunnelRegistry.All.Where(t => pattern.IsMatch(t.Name)).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                WriteError(Errors.TunnelNotFound(name));
            }

            selected.AddRange(matches.Where(m => !selected.Contains(m)));
        }

        return selected;
    }
}
