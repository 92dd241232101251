@{
    Synopsis    = 'Writes a ready-to-run client configuration for a peer of a running hub.'
    Description = @'
New-TaltunClientConfig writes the TOML file a client needs to join a running hub: mode client, the client''s private key and virtual IP (with the hub''s prefix length), and the hub as its only peer (the hub''s public key, virtual IP and the endpoint you give). Started with Start-TaltunTunnel -ConfigPath, the client connects at once and reaches the hub and every other client.

Pair it with Add-TaltunPeer: both bind from New-TaltunKey output by property name. Without -Path the TOML text is returned instead.

The file is written safely, as it holds the client's private key: to a new temporary file beside it (mode 0600 from the start, never one that already exists), flushed to disk and renamed into place, so it is complete or absent. An existing file is kept unless -Force (FileExists); a missing directory is an error unless -Force, which creates it with mode 0700 (DirectoryNotFound); a symbolic link is refused unless -FollowSymlink (SymbolicLinkNotFollowed); a directory, device or pipe is refused (NotARegularFile); a full or read-only file system is WriteFailed, with nothing left behind.
'@
    Parameters  = @{
        Tunnel        = 'The hub''s running tunnel.'
        PrivateKey    = 'The client''s private key; binds from New-TaltunKey output.'
        VirtualIP     = 'The client''s virtual IP (give the same to Add-TaltunPeer).'
        Endpoint      = 'The hub''s address as clients reach it, host:port; the hub cannot know its public address itself.'
        Route         = 'Networks the client routes through the hub besides the VPN subnet.'
        TunName       = 'The client''s interface name; default tun0.'
        LocalAddress  = 'The client''s UDP address:port; default 0.0.0.0:9000.'
        PresharedKey  = 'A preshared key for this client; give the same to Add-TaltunPeer.'
        Path          = 'The file to write. Without it the TOML text is returned.'
        Force         = 'Overwrite an existing file, and create the file''s directory (mode 0700) if it is missing.'
        FollowSymlink = 'If -Path is a symbolic link, replace the regular file it points to; without it a link is refused.'
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
