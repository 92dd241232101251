@{
    Synopsis    = 'Saves a running tunnel''s configuration, with the peers added and removed since it started, to TOML.'
    Description = @'
Save-TaltunConfig writes the configuration a tunnel runs with now, including peers added with Add-TaltunPeer and without those removed, as TOML (mode 0600), like wg-quick''s SaveConfig. By default it overwrites the file the tunnel was started from, so provisioned peers survive a restart; -Path writes elsewhere. A private key read from private_key_file stays in its file. Comments of the original file are not kept. It supports -WhatIf and -Confirm.
'@
    Parameters  = @{
        Name     = 'The running tunnel; binds from tunnel objects.'
        Path     = 'Where to write; by default the file the tunnel was started from.'
        PassThru = 'Return the written file.'
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
