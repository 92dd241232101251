using System.Management.Automation;
using Taltun.Device;

namespace Taltun.PowerShell.Commands;

/// <summary>Gets the recent events of running tunnels: handshakes, roaming peers, retries, failures.</summary>
[Cmdlet(VerbsCommon.Get, "TaltunLog")]
[OutputType(typeof(TaltunLogEntry))]
public sealed class GetTaltunLogCommand : TunnelSelectionCommand
{
    /// <summary>The least severe level to return (Verbose returns everything).</summary>
    [Parameter]
    public TunnelLogLevel Level { get; set; } = TunnelLogLevel.Verbose;

    /// <summary>Only the newest N entries per tunnel.</summary>
    [Parameter]
    [ValidateRange(1, TunnelLog.Capacity)]
    public int? Last { get; set; }

    protected override void ProcessRecord()
    {
        foreach (ListedTunnel listed in SelectTunnels())
        {
            if (!TunnelLookup.TryRun(this, listed, t => t.Log(), out var log))
            {
                continue;
            }

            var entries = log.Where(e => e.Level >= Level).ToList();
            foreach (TunnelLogEntry entry in entries.Skip(Last is { } last ? Math.Max(0, entries.Count - last) : 0))
            {
                WriteObject(new TaltunLogEntry { Tunnel = listed.Tunnel.Name, Time = entry.Time.LocalDateTime, Level = entry.Level.ToString(), Message = entry.Message });
            }
        }
    }
}
