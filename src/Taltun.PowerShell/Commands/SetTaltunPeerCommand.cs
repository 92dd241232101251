using System.Management.Automation;
using Taltun.Configuration;
using Taltun.Control;
using Taltun.Crypto;

namespace Taltun.PowerShell.Commands;

/// <summary>
/// Changes a peer of a running tunnel as wg set does — endpoint, persistent keepalive, allowed IPs
/// (replaced, added or removed) and preshared key — while its session goes on: no new handshake,
/// no packet lost. Every change is checked before any is made.
/// </summary>
[Cmdlet(VerbsCommon.Set, "TaltunPeer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(TaltunPeer))]
public sealed class SetTaltunPeerCommand : TunnelCommand
{
    /// <summary>The peer to change; tab completion offers the tunnel's peers.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PeerKeyCompleter))]
    [ValidateNotNullOrEmpty]
    public string PublicKey { get; set; } = string.Empty;

    /// <summary>Where to reach the peer from now on (host:port); it replaces the endpoint the peer roamed to.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Endpoint { get; set; }

    /// <summary>Seconds between keepalives when idle; 0 turns them off.</summary>
    [Parameter]
    [ValidateRange(0, Limits.MaxPersistentKeepalive)]
    public int? PersistentKeepalive { get; set; }

    /// <summary>The peer's allowed IPs from now on, replacing all it had (its virtual IP included); an empty list leaves it none. Addresses other peers own move to it, as wg set moves them.</summary>
    [Parameter]
    [ValidateNotNull]
    public string[]? AllowedIPs { get; set; }

    /// <summary>Networks to add to the peer's allowed IPs; taken from any peer that owns them.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? AddAllowedIPs { get; set; }

    /// <summary>Networks to take away from the peer's allowed IPs.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? RemoveAllowedIPs { get; set; }

    /// <summary>A new preshared key (base64 or hex), as both sides must configure it; the running session keeps its keys until its next handshake.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PresharedKey { get; set; }

    /// <summary>Remove the peer's preshared key.</summary>
    [Parameter]
    public SwitchParameter RemovePresharedKey { get; set; }

    /// <summary>Return the peer as it is after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ITunnelOperations tunnel = RequireTunnel();
        PeerUpdate change;
        try
        {
            change = Change();
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

        if (!TunnelLookup.TryRun(this, tunnel, () => tunnel.PeerStatus(change.PublicKey), out var before))
        {
            return;
        }

        if (before is null)
        {
            WriteError(Errors.PeerNotFound(Name, change.PublicKey.ToBase64()));
            return;
        }

        if (!ShouldProcess(Name, $"Change peer {change.PublicKey}: {Describe()}"))
        {
            return;
        }

        if (!TunnelLookup.TryRun(this, tunnel, () => tunnel.Apply(new TunnelUpdate { Peers = [change] }), out var warnings))
        {
            return;
        }

        foreach (string warning in warnings)
        {
            WriteWarning(warning);
        }

        if (PassThru && TunnelLookup.TryRun(this, tunnel, () => tunnel.PeerStatus(change.PublicKey), out var after) && after is not null)
        {
            WriteObject(StatusSnapshot.Of(tunnel.Name, after, DateTimeOffset.UtcNow));
        }
    }

    /// <summary>The parameters as the engine's update of one existing peer; a bad value throws naming its parameter.</summary>
    private PeerUpdate Change()
    {
        if (PresharedKey is not null && RemovePresharedKey)
        {
            throw ParameterValues.Invalid(nameof(RemovePresharedKey), "give either -PresharedKey or -RemovePresharedKey, not both.");
        }

        if (AllowedIPs is not null && (AddAllowedIPs is not null || RemoveAllowedIPs is not null))
        {
            throw ParameterValues.Invalid(nameof(AllowedIPs), "-AllowedIPs replaces the whole list; give it alone, or change the list with -AddAllowedIPs and -RemoveAllowedIPs.");
        }

        var allowed = new List<AllowedIpChange>();
        allowed.AddRange((AllowedIPs ?? AddAllowedIPs ?? []).Select(p => new AllowedIpChange(ParameterValues.Prefix(p, AllowedIPs is null ? nameof(AddAllowedIPs) : nameof(AllowedIPs)), Remove: false)));
        allowed.AddRange((RemoveAllowedIPs ?? []).Select(p => new AllowedIpChange(ParameterValues.Prefix(p, nameof(RemoveAllowedIPs)), Remove: true)));
        return new PeerUpdate
        {
            PublicKey = ParameterValues.PublicKey(PublicKey, nameof(PublicKey)),
            UpdateOnly = true,
            Endpoint = Endpoint is null ? null : ParameterValues.Endpoint(Endpoint, nameof(Endpoint)),
            PersistentKeepalive = PersistentKeepalive,
            PresharedKey = PresharedKey is null ? null : ParameterValues.PresharedKey(PresharedKey, nameof(PresharedKey)),
            ClearPresharedKey = RemovePresharedKey,
            ReplaceAllowedIps = AllowedIPs is not null,
            AllowedIps = allowed,
        };
    }

    /// <summary>What -WhatIf says will change; never a key.</summary>
    private string Describe()
    {
        var parts = new List<string>();
        if (Endpoint is not null)
        {
            parts.Add($"endpoint {Endpoint}");
        }

        if (PersistentKeepalive is { } keepalive)
        {
            parts.Add(keepalive == 0 ? "keepalive off" : $"keepalive every {keepalive} s");
        }

        if (AllowedIPs is not null)
        {
            parts.Add($"allowed IPs {(AllowedIPs.Length == 0 ? "none" : string.Join(", ", AllowedIPs))}");
        }

        if (AddAllowedIPs is not null)
        {
            parts.Add($"add allowed IPs {string.Join(", ", AddAllowedIPs)}");
        }

        if (RemoveAllowedIPs is not null)
        {
            parts.Add($"remove allowed IPs {string.Join(", ", RemoveAllowedIPs)}");
        }

        if (PresharedKey is not null)
        {
            parts.Add("new preshared key");
        }

        if (RemovePresharedKey)
        {
            parts.Add("no preshared key");
        }

        return parts.Count == 0 ? "nothing" : string.Join("; ", parts);
    }
}
