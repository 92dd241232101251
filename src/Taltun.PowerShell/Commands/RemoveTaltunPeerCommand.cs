using System.Management.Automation;
using Taltun.Control;
using Taltun.Crypto;

namespace Taltun.PowerShell.Commands;

/// <summary>Removes peers from a running tunnel; their sessions and routes go, other peers are untouched.</summary>
[Cmdlet(VerbsCommon.Remove, "TaltunPeer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class RemoveTaltunPeerCommand : TunnelCommand
{
    /// <summary>Public keys of the peers to remove; tab completion offers the tunnel's peers.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PeerKeyCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] PublicKey { get; set; } = [];

    protected override void ProcessRecord()
    {
        ITunnelOperations tunnel = RequireTunnel();
        foreach (string text in PublicKey)
        {
            Crypto.PublicKey key;
            try
            {
                key = Crypto.PublicKey.Parse(text);
            }
            catch (KeyFormatException e)
            {
                WriteError(KeyArgument.Error(e, nameof(PublicKey)));
                continue;
            }

            if (!ShouldProcess(Name, $"Remove peer {key}"))
            {
                continue;
            }

            if (!TunnelLookup.TryRun(this, tunnel, () => tunnel.RemovePeer(key), out bool removed))
            {
                continue;
            }

            if (!removed)
            {
                WriteError(Errors.PeerNotFound(Name, key.ToBase64()));
            }
        }
    }
}
