@{
    Synopsis    = 'Saves a running tunnel''s configuration, with the peers added and removed since it started, in the format it came from.'
    Description = @'
Save-TaltunConfig writes the configuration a tunnel runs with now, including peers added with Add-TaltunPeer and without those removed, (mode 0600), like wg-quick's SaveConfig: as a wg-quick file for a tunnel started from one, as TOML otherwise, or as the name of -Path (.conf, .toml) or -Format asks (what that format cannot express is said in warnings). By default it overwrites the file the tunnel was started from, so provisioned peers survive a restart; -Path writes elsewhere. A file with save_config = true (wg-quick's SaveConfig = true) is saved this way by itself when its tunnel stops. A private key read from private_key_file stays in its file. Comments of the original file are not kept. It supports -WhatIf and -Confirm.

The file is written to a new temporary file beside it (mode 0600 from the start, never one that already exists), flushed to disk and renamed over the old one, so it is complete or unchanged. A symbolic link is refused unless -FollowSymlink (SymbolicLinkNotFollowed); a directory, device or pipe is refused (NotARegularFile); a missing directory is an error unless -Force creates it with mode 0700 (DirectoryNotFound); a full or read-only file system is WriteFailed, with the old file intact and nothing left behind.
'@
    Parameters  = @{
        Name          = 'The running tunnel (alias -Tunnel); binds from tunnel objects.'
        Format        = 'Toml or WgQuick. By default what the name of -Path says (.conf is wg-quick, .toml is TOML), else the format of the file the tunnel was started from, TOML for a tunnel started from parameters.'
        Path          = 'Where to write; by default the file the tunnel was started from.'
        Force         = 'Create the file''s directory (mode 0700) if it is missing.'
        FollowSymlink = 'If the path is a symbolic link, replace the regular file it points to; without it a link is refused.'
        PassThru      = 'Return the written file.'
    }
    Inputs      = @{
        'Taltun.PowerShell.TaltunTunnel' = 'Bound by its Name property.'
    }
    Outputs     = @{
        'System.IO.FileInfo' = 'With -PassThru.'
    }
    Examples    = @(
        @{
            Title   = 'Keep provisioned peers'
            Code    = 'Save-TaltunConfig tun0'
            Remarks = 'Writes tun0''s peers back to the file it was started from.'
        }
    )
    Links       = @('Add-TaltunPeer', 'Start-TaltunTunnel')
}
