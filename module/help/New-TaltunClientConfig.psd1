@{
    Synopsis    = 'Writes a ready-to-run client configuration for a peer of a running hub: TOML, or a wg-quick file and QR code for WireGuard''s apps.'
    Description = @'
New-TaltunClientConfig writes the file a client needs to join a running hub: the client's private key and virtual IP (with the hub's prefix length), and the hub as its only peer (the hub's public key and the endpoint you give), with its DNS settings if you give them. Pair it with Add-TaltunPeer: both bind from New-TaltunKey output by property name.

-Format Toml (the default) writes Taltun's TOML, mode client: Start-TaltunTunnel -ConfigPath starts it, and the client reaches the hub and every other client. -Format WgQuick (the default for a -Path ending in .conf, and with -QrCode) writes a wg-quick file that WireGuard's apps (Android, iOS, Windows, macOS) and wg-quick import: Address, DNS and MTU under [Interface]; the hub as [Peer] with AllowedIPs for the VPN subnet and every -Route, its Endpoint, and PersistentKeepalive = 25, which is what a Taltun client does. No ListenPort is written unless -LocalAddress is given, so the device picks one.

-QrCode also makes the QR code the phone apps scan ("Create from QR code"): with -Path, a PNG beside the file (client.conf gives client.png); without -Path, the code itself as Unicode half blocks to show in the terminal (a dark background shows it as printed). Like the file, the code holds the client's private key: show it only to the client's owner.

Without -Path the text is returned instead. Files are written safely, as they hold the client's private key: to a new temporary file beside the target (mode 0600 from the start, never one that already exists), flushed to disk and renamed into place, so each is complete or absent. An existing file is kept unless -Force (FileExists); a missing directory is an error unless -Force, which creates it with mode 0700 (DirectoryNotFound); a symbolic link is refused unless -FollowSymlink (SymbolicLinkNotFollowed); a directory, device or pipe is refused (NotARegularFile); a full or read-only file system is WriteFailed, with nothing left behind.
'@
    Parameters  = @{
        Name          = 'The hub''s running tunnel (alias -Tunnel).'
        PrivateKey    = 'The client''s private key; binds from New-TaltunKey output.'
        VirtualIP     = 'The client''s virtual IP (give the same to Add-TaltunPeer).'
        Endpoint      = 'The hub''s address as clients reach it, host:port; the hub cannot know its public address itself.'
        Route         = 'Networks the client routes through the hub besides the VPN subnet, e.g. 192.168.50.0/24; 0.0.0.0/1 and 128.0.0.0/1 send everything through the hub.'
        Dns           = 'Name servers and search domains the client uses while connected, e.g. 10.0.0.1, corp.example: an IP address is a server, anything else a search domain.'
        TunName       = 'The client''s interface name in a TOML file; default tun0. A wg-quick file names its tunnel after itself, so this is not written there (a warning says so).'
        LocalAddress  = 'The client''s UDP address:port; default 0.0.0.0:9000 in TOML. A wg-quick file gets a ListenPort only when this is given.'
        PresharedKey  = 'A preshared key for this client; give the same to Add-TaltunPeer.'
        Format        = 'Toml (for Start-TaltunTunnel) or WgQuick (for WireGuard''s apps and wg-quick). By default WgQuick for a -Path ending in .conf or with -QrCode, else Toml.'
        QrCode        = 'Also make the QR code that WireGuard''s phone apps scan: a PNG beside -Path (same name, .png, mode 0600), or without -Path the code in Unicode half blocks for the terminal. Implies -Format WgQuick.'
        Path          = 'The file to write. Without it the text (or the terminal QR code) is returned.'
        Force         = 'Overwrite existing files, and create the directory (mode 0700) if it is missing.'
        FollowSymlink = 'If -Path (or the PNG beside it) is a symbolic link, replace the regular file it points to; without it a link is refused.'
    }
    Inputs      = @{
        'Taltun.PowerShell.TaltunKeyPair' = 'Its PrivateKey binds to -PrivateKey.'
    }
    Outputs     = @{
        'System.IO.FileInfo' = 'The written file, and with -QrCode the PNG, with -Path.'
        'System.String'      = 'The text, or with -QrCode the terminal QR code, without -Path.'
    }
    Examples    = @(
        @{
            Title   = 'Provision one Taltun client'
            Code    = @'
$key = New-TaltunKey
$key | Add-TaltunPeer -Name tun0 -VirtualIP 10.0.0.5
$key | New-TaltunClientConfig -Name tun0 -VirtualIP 10.0.0.5 -Endpoint vpn.example.com:9000 -Path ./client5.toml
'@
            Remarks = 'Adds the client to the hub and writes its configuration; copy client5.toml to the client and run Start-TaltunTunnel ./client5.toml there.'
        }
        @{
            Title   = 'A phone, by QR code in the terminal'
            Code    = @'
$phone = New-TaltunKey
$phone | Add-TaltunPeer tun0 -VirtualIP 10.0.0.6
$phone | New-TaltunClientConfig tun0 -VirtualIP 10.0.0.6 -Endpoint vpn.example.com:9000 -Dns 10.0.0.1 -QrCode
'@
            Remarks = 'Prints the QR code; in the WireGuard app, choose Add tunnel, Create from QR code, and scan it.'
        }
        @{
            Title   = 'A laptop with WireGuard''s app or wg-quick'
            Code    = '$key | New-TaltunClientConfig tun0 -VirtualIP 10.0.0.7 -Endpoint vpn.example.com:9000 -Route 0.0.0.0/1, 128.0.0.0/1 -Path ./laptop.conf -QrCode'
            Remarks = 'Writes laptop.conf (import it, or wg-quick up ./laptop.conf) and laptop.png; everything goes through the hub.'
        }
    )
    Links       = @('Add-TaltunPeer', 'Convert-TaltunConfig', 'Save-TaltunConfig', 'Start-TaltunTunnel', 'about_Taltun')
}
