@{
    Synopsis    = 'Changes a peer of a running tunnel as wg set does, while its session goes on.'
    Description = @'
Set-TaltunPeer changes one peer of a running tunnel — this process's or one another process runs — without a new handshake or a lost packet: its endpoint (replacing the one it roamed to), persistent keepalive (0 turns it off), allowed IPs (-AllowedIPs replaces the whole list; -AddAllowedIPs and -RemoveAllowedIPs change it) and preshared key (-PresharedKey, or -RemovePresharedKey). An allowed IP another peer owns moves to this one, as wg set moves it, and the kernel routes follow. Every change is checked before any is made: a bad value changes nothing and names its parameter. A peer the tunnel does not have is a PeerNotFound error; add peers with Add-TaltunPeer. A new preshared key is used from the peer's next handshake, so both sides should change it together. It supports -WhatIf and -Confirm, and never shows a key in their text.
'@
    Parameters  = @{
        Name               = 'The running tunnel (alias -Tunnel); binds from the Tunnel property of peer objects.'
        PublicKey          = 'The peer to change, base64 or hex; tab completion offers the tunnel''s peers.'
        Endpoint           = 'Where to reach the peer from now on, host:port or [IPv6]:port.'
        PersistentKeepalive = 'Seconds between keepalives when the link is idle, 0 to 65535; 0 turns them off.'
        AllowedIPs         = 'The peer''s allowed IPs from now on, replacing all it had (its virtual IP''s /32 included); @() leaves it none.'
        AddAllowedIPs      = 'Networks to add to the peer''s allowed IPs, e.g. 192.168.7.0/24.'
        RemoveAllowedIPs   = 'Networks to take from the peer''s allowed IPs.'
        PresharedKey       = 'A new preshared key, base64 or hex (New-TaltunKey -Preshared makes one).'
        RemovePresharedKey = 'Remove the peer''s preshared key.'
        PassThru           = 'Return the peer as it is after the change.'
    }
    Inputs      = @{
        'Taltun.PowerShell.TaltunPeer' = 'Peers, bound by their Tunnel and PublicKey properties.'
    }
    Outputs     = @{
        'Taltun.PowerShell.TaltunPeer' = 'With -PassThru.'
    }
    Examples    = @(
        @{
            Title   = 'Route a branch office''s network through its peer'
            Code    = 'Set-TaltunPeer hub ''xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg='' -AddAllowedIPs 192.168.7.0/24'
            Remarks = 'The peer keeps its session; 192.168.7.0/24 now routes to it.'
        }
        @{
            Title   = 'Keep every peer behind NAT alive'
            Code    = 'Get-TaltunStatus hub -Peer | Set-TaltunPeer -PersistentKeepalive 25'
            Remarks = 'Peer objects bind by their Tunnel and PublicKey properties.'
        }
    )
    Links       = @('Add-TaltunPeer', 'Remove-TaltunPeer', 'Get-TaltunStatus')
}
