@{
    Synopsis    = 'Stops Taltun tunnels gracefully: threads joined, routes and addresses removed, interface deleted.'
    Description = @'
Stop-TaltunTunnel stops running tunnels by name — this PowerShell process's, or one another process runs (a -Wait service, say), which then stops it as if it had been told to itself and goes on — by piping tunnel objects (Get-TaltunStatus | Stop-TaltunTunnel) or peer objects (each stops the tunnel it belongs to, once; a public key is never taken for a tunnel name), or all of them with -All. Each stop wakes and joins the tunnel's threads, removes exactly the routes and addresses Taltun added, closes every descriptor (the interface disappears with it) and returns within a couple of seconds. A name that is not running is a non-terminating error with ErrorId TunnelNotFound.

A tunnel from a file with hooks runs its PreDown hooks first and its PostDown hooks last, and puts its DNS settings back before its interface goes. A failing hook (HookFailed) or DNS settings that cannot be put back (DnsFailed) are reported as non-terminating errors; the tunnel is stopped all the same. A file with save_config = true (wg-quick's SaveConfig) is written back before the tunnel stops.

It supports -WhatIf and -Confirm.
'@
    Parameters  = @{
        Name = 'Names of running tunnels (their interface names; alias -Tunnel). Tab completion offers the running ones. Accepts names, tunnel objects and peer objects (by their Tunnel property) from the pipeline.'
        All  = 'Stop every tunnel of this PowerShell process; tunnels of other processes are stopped only by name.'
    }
    Inputs      = @{
        'System.String'                  = 'Tunnel names.'
        'Taltun.PowerShell.TaltunTunnel' = 'Tunnel objects, bound by their Name property.'
        'Taltun.PowerShell.TaltunPeer'   = 'Peer objects, bound by their Tunnel property: the tunnel they belong to stops.'
    }
    Outputs     = @{
        'None' = 'Stop-TaltunTunnel writes nothing to the pipeline.'
    }
    Examples    = @(
        @{
            Title   = 'Stop one tunnel'
            Code    = 'Stop-TaltunTunnel tun0'
            Remarks = 'Stops tun0 and removes its interface, addresses and routes.'
        }
        @{
            Title   = 'Stop what Get-TaltunStatus shows'
            Code    = 'Get-TaltunStatus | Stop-TaltunTunnel -WhatIf'
            Remarks = 'Lists what would be stopped without stopping anything.'
        }
    )
    Links       = @('Start-TaltunTunnel', 'Get-TaltunStatus')
}
