@{
    Synopsis    = 'Converts a configuration file between Taltun''s TOML and wg-quick''s format, either way.'
    Description = @'
Convert-TaltunConfig reads a configuration file, TOML or wg-quick (told apart by content), and writes it in the other format, or in the one -Format names, or the one the name of -Destination asks for (.conf is wg-quick, .toml is TOML). Without -Destination the text is returned.

wg-quick to TOML loses nothing: the tunnel's name (the wg-quick file's name) becomes tun_name, mode is peer (plain WireGuard), and DNS, Table, hooks, FwMark and SaveConfig keep their meaning as dns, table, pre_up and the rest. Converted back, it gives the same wg-quick file.

TOML to wg-quick writes what the tunnel does in WireGuard's terms: a client's hub gets the VPN subnet and the routes in its AllowedIPs and a PersistentKeepalive of 25; a peer's vip becomes a /32 (or /128) in its AllowedIPs; a private_key_file is read and the key written into the file. What wg-quick cannot express is said in warnings: a hub's relaying between its peers (a wg-quick host must forward instead), routes no peer carries, mss_clamping = false, keep_warm = true, a listen address other than all addresses. A wg-quick file names its tunnel after itself, so a -Destination whose name differs from the tunnel's draws a warning.

Anything in a wg-quick file Taltun cannot honour is an error naming its line (InvalidConfiguration), and no message quotes any part of a key. The file written is private (mode 0600) and written as New-TaltunClientConfig writes: complete or absent, never through a link unless -FollowSymlink, never over an existing file unless -Force.
'@
    Parameters  = @{
        Path          = 'The file to convert, TOML or wg-quick. Aliases -FullName and -ConfigPath, so Get-ChildItem output pipes in.'
        Destination   = 'Where to write the converted file (mode 0600). Without it the text is returned.'
        Format        = 'The format to write: Toml or WgQuick. By default what the name of -Destination says (.conf or .toml), else the other one than the file''s.'
        Force         = 'Overwrite an existing file, and create its directory (mode 0700) if it is missing.'
        FollowSymlink = 'If -Destination is a symbolic link, replace the regular file it points to; without it a link is refused.'
    }
    Inputs      = @{
        'System.IO.FileInfo' = 'Files from Get-ChildItem, bound by their FullName.'
    }
    Outputs     = @{
        'System.IO.FileInfo' = 'The written file, with -Destination.'
        'System.String'      = 'The converted text, without -Destination.'
    }
    Examples    = @(
        @{
            Title   = 'Bring a wg-quick setup over'
            Code    = 'Convert-TaltunConfig /etc/wireguard/wg0.conf -Destination /etc/taltun/wg0.toml'
            Remarks = 'Writes the same tunnel as Taltun TOML; Start-TaltunTunnel starts either file.'
        }
        @{
            Title   = 'Hand a Taltun client to wg-quick'
            Code    = 'Convert-TaltunConfig ./client5.toml -Destination ./client5.conf'
            Remarks = 'wg-quick up ./client5.conf, or the WireGuard app, then joins the hub.'
        }
        @{
            Title   = 'Look before writing'
            Code    = 'Get-ChildItem /etc/wireguard/*.conf | Convert-TaltunConfig -Format Toml'
            Remarks = 'Prints each file as TOML.'
        }
    )
    Links       = @('Start-TaltunTunnel', 'New-TaltunClientConfig', 'Save-TaltunConfig', 'about_Taltun')
}
