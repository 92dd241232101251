@{
    Synopsis    = 'Gets the recent events of running tunnels: handshakes, roaming peers, retries, failures.'
    Description = @'
Get-TaltunLog returns the events a tunnel's engine reported, oldest first: the tunnel coming up, its hooks (each command and its output, with anything shaped like a key hidden) and DNS settings, peers added and removed, handshakes completed, peers that roamed to a new address, handshakes that do not complete (retried every 5 seconds, given up after 90), the handshake queue under load, and errors of its threads. The last 1000 entries per tunnel are kept while it runs. A tunnel in the foreground (Start-TaltunTunnel -Wait) writes the same events to the PowerShell streams as they happen.
'@
    Parameters  = @{
        Name  = 'Tunnel names (alias -Tunnel); wildcards allowed. All tunnels when omitted.'
        Level = 'The least severe level returned: Verbose (everything, the default), Information, Warning or Error.'
        Last  = 'Only the newest N entries of each tunnel.'
    }
    Inputs      = @{
        'Taltun.PowerShell.TaltunTunnel' = 'Bound by its Name property.'
    }
    Outputs     = @{
        'Taltun.PowerShell.TaltunLogEntry' = 'Tunnel, Time, Level and Message.'
    }
    Examples    = @(
        @{
            Title   = 'What happened on tun0'
            Code    = 'Get-TaltunLog tun0 -Last 20'
            Remarks = 'The twenty newest events.'
        }
        @{
            Title   = 'Only problems'
            Code    = 'Get-TaltunLog -Level Warning'
            Remarks = 'Warnings and errors of every tunnel.'
        }
    )
    Links       = @('Start-TaltunTunnel', 'Get-TaltunStatus')
}
