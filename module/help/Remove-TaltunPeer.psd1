@{
    Synopsis    = 'Removes peers from a running tunnel; their sessions and routes go, other peers are untouched.'
    Description = @'
Remove-TaltunPeer removes peers by public key from a running tunnel. Their sessions are erased, their allowed IPs stop routing to them, and kernel routes added for them are removed. Peer objects from Get-TaltunStatus -Peer pipe in (Tunnel and PublicKey bind by property name). Tab completion offers the public keys of the tunnel's peers. An unknown key is a PeerNotFound error. It supports -WhatIf and -Confirm.
'@
    Parameters  = @{
        Name      = 'The running tunnel (alias -Tunnel); binds from the Tunnel property of peer objects.'
        PublicKey = 'Public keys of the peers to remove, base64 or hex. Tab completion offers the keys of the tunnel''s peers, with their addresses.'
    }
    Inputs      = @{
        'Taltun.PowerShell.TaltunPeer' = 'Peers, bound by their Tunnel and PublicKey properties.'
    }
    Outputs     = @{
        'None' = 'Remove-TaltunPeer writes nothing to the pipeline.'
    }
    Examples    = @(
        @{
            Title   = 'Remove peers that never connected'
            Code    = 'Get-TaltunStatus tun0 -Peer | Where-Object { -not $_.LatestHandshake } | Remove-TaltunPeer'
            Remarks = 'Removes every peer of tun0 without a handshake so far.'
        }
    )
    Links       = @('Add-TaltunPeer', 'Get-TaltunStatus')
}
