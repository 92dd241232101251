@{
    Synopsis    = 'Gets the running Taltun tunnels of this PowerShell process, or their peers, with live counters.'
    Description = @'
Get-TaltunStatus returns one TaltunTunnel per running tunnel: name, mode, process id, virtual IP, listen port, public key (never the private key), MTU, routes, start time and uptime (a TimeSpan), peers and drops by reason. With -Peer it returns TaltunPeer objects instead: virtual IP, public key, current endpoint, allowed IPs, latest handshake (a DateTime, or null before the first) and its age (HandshakeAge, a TimeSpan), received and sent bytes and packets, drops by reason, and the keepalive interval, much as wg show prints them.

Every Taltun tunnel of this host is included: those started in any runspace of this process, and those other processes run (a service, another pwsh), reached through their control sockets in /var/run/wireguard; ProcessId says which process runs each, NetworkNamespace where its interface lives. Sockets of other programs (wireguard-go) are passed over. Another process's tunnel needs root, that process's user, or its control group. The default views show sizes as KiB/MiB and the handshake as an age ("42s ago"). Lists of addresses read as one line of text where text is wanted, so Export-Csv writes "10.0.0.2/32, 192.168.1.0/24".
'@
    Parameters  = @{
        Name      = 'Tunnel names (alias -Tunnel); wildcards are allowed. All tunnels when omitted. A plain name that is not running is a TunnelNotFound error.'
        Peer      = 'Return the peers of the selected tunnels instead of the tunnels.'
        PublicKey = 'Return only the peers with these public keys (with -Peer). Tab completion offers the keys.'
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
            Code    = 'Get-TaltunStatus -Name tun0 -Peer | Where-Object { $null -eq $_.HandshakeAge -or $_.HandshakeAge -gt [timespan]::FromMinutes(3) }'
            Remarks = 'Finds spokes that are gone or cannot reach the hub.'
        }
        @{
            Title   = 'Traffic per peer'
            Code    = 'Get-TaltunStatus -Peer | Sort-Object RxBytes -Descending | Select-Object VirtualIP, RxBytes, TxBytes'
            Remarks = 'The busiest peers first.'
        }
        @{
            Title   = 'Peers as a spreadsheet'
            Code    = 'Get-TaltunStatus -Peer | Export-Csv peers.csv'
            Remarks = 'One row per peer; AllowedIPs and Drops are readable text, not System.String[].'
        }
    )
    Links       = @('Start-TaltunTunnel', 'Add-TaltunPeer', 'Get-TaltunLog')
}
