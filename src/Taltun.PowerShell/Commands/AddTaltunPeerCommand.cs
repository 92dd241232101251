using System.Management.Automation;
using Taltun.Configuration;
using Taltun.Control;
using Taltun.Crypto;

namespace Taltun.PowerShell.Commands;

/// <summary>Adds a peer to a running tunnel without a restart; other peers' traffic keeps flowing.</summary>
[Cmdlet(VerbsCommon.Add, "TaltunPeer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(TaltunPeer))]
public sealed class AddTaltunPeerCommand : TunnelCommand
{
    /// <summary>The peer's public key (base64 or hex); binds from New-TaltunKey output.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string PublicKey { get; set; } = string.Empty;

    /// <summary>The peer's virtual IP, e.g. 10.0.0.5: its /32 is routed to it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public string? VirtualIP { get; set; }

    /// <summary>Where to reach the peer (host:port); omit for a roaming client.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public string? Endpoint { get; set; }

    /// <summary>Further networks behind the peer, e.g. 192.168.1.0/24.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public string[]? AllowedIPs { get; set; }

    /// <summary>Seconds between keepalives when idle (0 = off), for peers behind NAT.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0, Limits.MaxPersistentKeepalive)]
    public int? PersistentKeepalive { get; set; }

    /// <summary>A preshared key both sides configure (base64 or hex), for an extra symmetric layer.</summary>
    /// <remarks>VirtualIP, Endpoint and PresharedKey take null as "not given": peer objects (Get-TaltunConfig's) carry null for what a peer lacks.</remarks>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public string? PresharedKey { get; set; }

    /// <summary>Move the virtual IP and allowed IPs that other peers own to this peer (as wg set does), instead of refusing them.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Return the added peer.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ITunnelOperations tunnel = RequireTunnel();
        PeerConfiguration peer;
        try
        {
            peer = ParameterValues.Peer(
                new PeerText(PublicKey)
                {
                    VirtualIP = VirtualIP,
                    Endpoint = Endpoint,
                    AllowedIps = AllowedIPs,
                    PersistentKeepalive = PersistentKeepalive,
                    PresharedKey = PresharedKey,
                });
        }
        catch (ConfigurationException e)
        {
            WriteError(Errors.From(e));
            return;
        }
        catch (KeyFormatException e)
        {
            WriteError(KeyArgument.Error(e));
            return;
        }

        // Checked before -WhatIf answers: a refused peer is refused either way.
        if (!TunnelLookup.TryRun(this, tunnel, () => tunnel.AddPeer(peer, Force, checkOnly: true), out _))
        {
            return;
        }

        if (!ShouldProcess(Name, $"Add peer {peer.PublicKey}{(peer.VirtualIP is null ? string.Empty : $" ({peer.VirtualIP})")}"))
        {
            return;
        }

        if (!TunnelLookup.TryRun(this, tunnel, () => tunnel.AddPeer(peer, Force, checkOnly: false), out var warnings))
        {
            return;
        }

        foreach (string warning in warnings)
        {
            WriteWarning(warning);
        }

        if (PassThru && TunnelLookup.TryRun(this, tunnel, () => tunnel.PeerStatus(peer.PublicKey), out Device.PeerStatus? status) && status is not null)
        {
            WriteObject(StatusSnapshot.Of(tunnel.Name, status, DateTimeOffset.UtcNow));
        }
    }
}
