@{
    Synopsis    = 'Makes a running tunnel match its configuration file again, as wg syncconf does, without touching unchanged peers.'
    Description = @'
Sync-TaltunConfig reads a configuration file (by default the one the tunnel was started from; TOML or wg-quick) and applies it to the running tunnel — this process's or one another process runs: peers the file no longer has are removed, new ones added, changed ones changed in place (endpoint, keepalive, allowed IPs, preshared key), and the private key, listen port, firewall mark and routes follow the file. Peers the file leaves as they were keep their sessions: no handshake, no lost packet. The file is checked whole first: an invalid one is an InvalidConfiguration error naming its line, and the tunnel runs on exactly as before. What only a restart can change (addresses, MTU, mode, listen address, relay, DNS, hooks, table, control_group) keeps its running value, and each difference is a warning. A tunnel started with -Wait reloads the same way on SIGHUP (systemctl reload taltun@NAME), writing the outcome to its log. Reloading another process's tunnel needs root or that process's user: members of a control group may not. It supports -WhatIf and -Confirm.
'@
    Parameters  = @{
        Name     = 'The running tunnel (alias -Tunnel); binds from tunnel objects.'
        Path     = 'The file to apply; by default the file the tunnel was started from.'
        PassThru = 'Return the tunnel as it runs after the reload.'
    }
    Inputs      = @{
        'Taltun.PowerShell.TaltunTunnel' = 'Bound by its Name property.'
    }
    Outputs     = @{
        'Taltun.PowerShell.TaltunTunnel' = 'With -PassThru.'
    }
    Examples    = @(
        @{
            Title   = 'Apply an edited file'
            Code    = 'Sync-TaltunConfig hub'
            Remarks = 'After adding a [[peers]] table to the hub''s file: the new peer joins, the others are untouched.'
        }
    )
    Links       = @('Get-TaltunConfig', 'Save-TaltunConfig', 'Start-TaltunTunnel')
}
