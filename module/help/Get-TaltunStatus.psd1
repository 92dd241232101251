@{
    Synopsis    = 'Gets the running Taltun tunnels of this PowerShell process, or their peers, with live counters.'
    Description = @'
Get-TaltunStatus returns one TaltunTunnel per running tunnel: name, mode, virtual IP, listen port, public key (never the private key), MTU, routes, start time, peers and drops by reason. With -Peer it returns TaltunPeer objects instead: virtual IP, public key, current endpoint, allowed IPs, latest handshake (a DateTime, or null before the first), received and sent bytes and packets, drops by reason, and the keepalive interval, much as wg show prints them.

Tunnels started in any runspace of this process are included. The default views show sizes as KiB/MiB and the handshake as an age ("42s ago").
'@
    Parameters  = @{
        Name      = 'Tunnel names; wildcards are allowed. All tunnels when omitted. A plain name that is not running is a TunnelNotFound error.'
        Peer      = 'Return the peers of the selected tunnels instead of the tunnels.'
        PublicKey = 'Return only the peers with these public keys (with -Peer).'
    }
    Inputs      = @{
        'System.String' = 'Tunnel names, by property name (Name or Tunnel).'
    }
    Outputs     = @{
        'Taltun.PowerShell.TaltunTunnel' = 'Without -Peer.'
        'Taltun.PowerShell.TaltunPeer'   = 'With -Peer.'
    }
    Examples    = @(
        @{
            Title   = 'All tunnels'
            Code    = 'Get-TaltunStatus'
            Remarks = 'One line per running tunnel.'
        }
        @{
            Title   = 'Peers that have not shaken hands in three minutes'
            Code    = 'Get-TaltunStatus -Name tun0 -Peer | Where-Object { -not $_.LatestHandshake -or $_.LatestHandshake -lt (Get-Date).AddMinutes(-3) }'
            Remarks = 'Finds spokes that are gone or cannot reach the hub.'
        }
        @{
            Title   = 'Traffic per peer'
            Code    = 'Get-TaltunStatus -Peer | Sort-Object RxBytes -Descending | Select-Object VirtualIP, RxBytes, TxBytes'
            Remarks = 'The busiest peers first.'
        }
    )
    Links       = @('Start-TaltunTunnel', 'Add-TaltunPeer', 'Get-TaltunLog')
}
