@{
    Synopsis    = 'Gets the configuration a tunnel runs with now, as an object or as the text of a file, as wg showconf does.'
    Description = @'
Get-TaltunConfig returns the configuration of running tunnels — this process's and those other processes run — with every change made since they started (peers added, removed and changed, a reload): the interface's settings as properties, the peers as definitions that pipe into Add-TaltunPeer, and the whole as the text of a file (Text): TOML, or wg-quick with -Format WgQuick (what that format cannot express is said in warnings). -AsText returns only the text. The private key and preshared keys are left out unless -IncludeSecrets asks for them; only root and the tunnel's own user may ask, members of a control group may not.
'@
    Parameters  = @{
        Name           = 'Tunnel names (alias -Tunnel; wildcards allowed); all when omitted.'
        IncludeSecrets = 'Include the private key and the preshared keys, in base64.'
        AsText         = 'Return only the text of the file.'
        Format         = 'The text''s format: Toml (the default) or WgQuick.'
    }
    Inputs      = @{
        'Taltun.PowerShell.TaltunTunnel' = 'Bound by its Name property.'
    }
    Outputs     = @{
        'Taltun.PowerShell.TaltunConfig' = 'By default.'
        'System.String'                  = 'With -AsText.'
    }
    Examples    = @(
        @{
            Title   = 'Copy a hub''s peers to a second hub'
            Code    = '(Get-TaltunConfig hub).Peers | Add-TaltunPeer -Name hub2'
            Remarks = 'Each peer definition binds by property name.'
        }
        @{
            Title   = 'Back up a hub with its keys'
            Code    = 'Get-TaltunConfig hub -IncludeSecrets -AsText | Set-Content -Path /root/hub-backup.toml'
            Remarks = 'The text is a file Start-TaltunTunnel reads; keep it private.'
        }
    )
    Links       = @('Sync-TaltunConfig', 'Save-TaltunConfig', 'Get-TaltunStatus')
}
