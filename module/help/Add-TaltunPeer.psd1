@{
    Synopsis    = 'Adds a peer to a running tunnel without a restart; other peers'' traffic keeps flowing.'
    Description = @'
Add-TaltunPeer adds a peer to a running tunnel at once: its virtual IP (as a /32) and allowed IPs route to it, with kernel routes for networks outside the tunnel's subnet, and its handshake can start immediately. Nothing else on the tunnel is interrupted. Its parameters bind by property name, so key pairs from New-TaltunKey pipe straight in.

The peer is also added to the tunnel's configuration, which Save-TaltunConfig writes back to TOML so provisioned peers survive a restart. A public key or virtual IP the tunnel already has is an InvalidConfiguration error; a malformed key is InvalidKey; an unknown tunnel is TunnelNotFound.
'@
    Parameters  = @{
        Tunnel              = 'The running tunnel to add the peer to.'
        PublicKey           = 'The peer''s public key, base64 or hex. Binds by property name from New-TaltunKey.'
        VirtualIP           = 'The peer''s virtual IP, e.g. 10.0.0.5; its /32 is routed to the peer.'
        Endpoint            = 'Where the peer listens, host:port. Omit it for a roaming client: the hub learns the endpoint from the client''s first handshake.'
        AllowedIPs          = 'Networks behind the peer, beyond its virtual IP, e.g. 192.168.1.0/24.'
        PersistentKeepalive = 'Seconds between keepalives when idle, 0 to 65535 (0 = off). Useful when the peer is behind NAT and must stay reachable.'
        PresharedKey        = 'A preshared key, base64 or hex, configured on both sides (New-TaltunKey -Preshared).'
        PassThru            = 'Return the added peer as a TaltunPeer.'
    }
    Inputs      = @{
        'Taltun.PowerShell.TaltunKeyPair' = 'Its PublicKey binds to -PublicKey.'
        'System.Management.Automation.PSObject' = 'Any object with PublicKey, VirtualIP, Endpoint, AllowedIPs, PersistentKeepalive or PresharedKey properties.'
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
    )
    Links       = @('Remove-TaltunPeer', 'New-TaltunClientConfig', 'Save-TaltunConfig', 'New-TaltunKey')
}
