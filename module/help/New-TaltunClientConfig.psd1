@{
    Synopsis    = 'Writes a ready-to-run client configuration for a peer of a running hub.'
    Description = @'
New-TaltunClientConfig writes the TOML file a client needs to join a running hub: mode client, the client''s private key and virtual IP (with the hub''s prefix length), and the hub as its only peer (the hub''s public key, virtual IP and the endpoint you give). Started with Start-TaltunTunnel -ConfigPath, the client connects at once and reaches the hub and every other client.

Pair it with Add-TaltunPeer: both bind from New-TaltunKey output by property name. The file is written with mode 0600; an existing file is kept unless -Force. Without -Path the TOML text is returned instead.
'@
    Parameters  = @{
        Tunnel       = 'The hub''s running tunnel.'
        PrivateKey   = 'The client''s private key; binds from New-TaltunKey output.'
        VirtualIP    = 'The client''s virtual IP (give the same to Add-TaltunPeer).'
        Endpoint     = 'The hub''s address as clients reach it, host:port; the hub cannot know its public address itself.'
        Route        = 'Networks the client routes through the hub besides the VPN subnet.'
        TunName      = 'The client''s interface name; default tun0.'
        LocalAddress = 'The client''s UDP address:port; default 0.0.0.0:9000.'
        PresharedKey = 'A preshared key for this client; give the same to Add-TaltunPeer.'
        Path         = 'The file to write. Without it the TOML text is returned.'
        Force        = 'Overwrite an existing file.'
    }
    Inputs      = @{
        'Taltun.PowerShell.TaltunKeyPair' = 'Its PrivateKey binds to -PrivateKey.'
    }
    Outputs     = @{
        'System.IO.FileInfo' = 'The written file, with -Path.'
        'System.String'      = 'The TOML text, without -Path.'
    }
    Examples    = @(
        @{
            Title   = 'Provision one client'
            Code    = @'
$key = New-TaltunKey
$key | Add-TaltunPeer -Tunnel tun0 -VirtualIP 10.0.0.5
$key | New-TaltunClientConfig -Tunnel tun0 -VirtualIP 10.0.0.5 -Endpoint vpn.example.com:9000 -Path ./client5.toml
'@
            Remarks = 'Adds the client to the hub and writes its configuration; copy client5.toml to the client and run Start-TaltunTunnel ./client5.toml there.'
        }
    )
    Links       = @('Add-TaltunPeer', 'Save-TaltunConfig', 'Start-TaltunTunnel')
}
