@{
    Synopsis    = 'Adds a peer to a running tunnel without a restart; other peers'' traffic keeps flowing.'
    Description = @'
Add-TaltunPeer adds a peer to a running tunnel at once: its virtual IP (as a /32) and allowed IPs route to it, with kernel routes for networks outside the tunnel's subnet, and its handshake can start immediately. Nothing else on the tunnel is interrupted. Its parameters bind by property name, so key pairs from New-TaltunKey pipe straight in, and so do rows of a CSV with a Tunnel (or Name) column, PublicKey, VirtualIP and so on.

The peer is also added to the tunnel's configuration, which Save-TaltunConfig writes back to TOML so provisioned peers survive a restart. A public key the tunnel already has, the tunnel's own key, or a peer with neither -VirtualIP nor -AllowedIPs is an InvalidConfiguration error; a malformed key is InvalidKey; an unknown tunnel is TunnelNotFound.

An address belongs to one peer. A virtual IP or allowed IP that another peer owns is refused with an error naming that peer, unless -Force: then it moves to the new peer, as wg set moves it, the other peer no longer owns it (in Get-TaltunStatus and in the saved configuration), and its kernel route stays until its last owner goes. A move that would leave the other peer with no address is refused; remove that peer first. Warnings, such as an allowed IP of /0 getting no kernel route, go to the warning stream and the tunnel's log.
'@
    Parameters  = @{
        Name                = 'The running tunnel to add the peer to (alias -Tunnel). Binds by property name, from a Name or Tunnel property.'
        PublicKey           = 'The peer''s public key, base64 or hex. Binds by property name from New-TaltunKey.'
        VirtualIP           = 'The peer''s virtual IP, e.g. 10.0.0.5; its /32 is routed to the peer.'
        Endpoint            = 'Where the peer listens, host:port. Omit it for a roaming client: the hub learns the endpoint from the client''s first handshake.'
        AllowedIPs          = 'Networks behind the peer, beyond its virtual IP, e.g. 192.168.1.0/24.'
        PersistentKeepalive = 'Seconds between keepalives when idle, 0 to 65535 (0 = off). Useful when the peer is behind NAT and must stay reachable.'
        PresharedKey        = 'A preshared key, base64 or hex, configured on both sides (New-TaltunKey -Preshared).'
        Force               = 'Move addresses that other peers own to this peer (as wg set does) instead of refusing them.'
        PassThru            = 'Return the added peer as a TaltunPeer.'
    }
    Inputs      = @{
        'Taltun.PowerShell.TaltunKeyPair' = 'Its PublicKey binds to -PublicKey.'
        'System.Management.Automation.PSObject' = 'Any object with Tunnel (or Name), PublicKey, VirtualIP, Endpoint, AllowedIPs, PersistentKeepalive or PresharedKey properties, such as the rows of Import-Csv.'
    }
    Outputs     = @{
        'Taltun.PowerShell.TaltunPeer' = 'With -PassThru.'
    }
    Examples    = @(
        @{
            Title   = 'Add a client with a new key'
            Code    = 'New-TaltunKey | Add-TaltunPeer -Tunnel tun0 -VirtualIP 10.0.0.5 -PassThru'
            Remarks = 'Makes a key pair and adds its public key as peer 10.0.0.5.'
        }
        @{
            Title   = 'A site with a network behind it'
            Code    = 'Add-TaltunPeer -Tunnel tun0 -PublicKey $siteKey -VirtualIP 10.0.0.9 -AllowedIPs 192.168.1.0/24 -Endpoint site.example.net:9000'
            Remarks = 'Routes 192.168.1.0/24 to the site through the tunnel.'
        }
        @{
            Title   = 'Give a lost device''s address to its replacement'
            Code    = 'Add-TaltunPeer -Tunnel tun0 -PublicKey $newKey -VirtualIP 10.0.0.5 -AllowedIPs 192.168.9.0/24 -Force'
            Remarks = 'Moves 10.0.0.5 and 192.168.9.0/24 from the peer that owned them; that peer keeps its other addresses.'
        }
        @{
            Title   = 'Peers from a spreadsheet'
            Code    = 'Import-Csv ./peers.csv | Add-TaltunPeer   # columns: Tunnel, PublicKey, VirtualIP'
            Remarks = 'Each row names its tunnel; every row becomes a peer of it.'
        }
    )
    Links       = @('Remove-TaltunPeer', 'New-TaltunClientConfig', 'Save-TaltunConfig', 'New-TaltunKey')
}
