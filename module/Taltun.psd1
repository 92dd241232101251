@{
    RootModule           = 'Taltun.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0f3c1e-8a47-4b52-9a7e-3f6d2c41a9e8'
    Author               = 'The Taltun developers'
    CompanyName          = 'Taltun'
    Copyright            = '(c) The Taltun developers. MIT License.'
    Description          = 'A userspace VPN for Linux that speaks the WireGuard protocol, driven from PowerShell.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('Taltun.format.ps1xml')
    CmdletsToExport      = @(
        'New-TaltunKey'
        'Start-TaltunTunnel'
        'Stop-TaltunTunnel'
        'Get-TaltunStatus'
        'Add-TaltunPeer'
        'Remove-TaltunPeer'
        'New-TaltunClientConfig'
        'Save-TaltunConfig'
        'Get-TaltunLog'
        'Convert-TaltunConfig'
        'Set-TaltunPeer'
        'Sync-TaltunConfig'
        'Get-TaltunConfig'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('VPN', 'WireGuard', 'Linux', 'Tunnel', 'Network', 'wg-quick')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ProjectUri   = 'https://github.com/taltun/taltun'
            ReleaseNotes = @'
0.1.0
- Operate a running tunnel from anywhere: each tunnel serves /var/run/wireguard/NAME.sock, so wg
  (show, showconf, set, syncconf, addconf) works on it, and every cmdlet works on tunnels other
  processes run (a service, say); Get-TaltunStatus lists them with their process id. A control
  group (control_group, -ControlGroup) may operate a tunnel without reading its keys.
- Set-TaltunPeer changes a live peer as wg set does; Sync-TaltunConfig (and SIGHUP under -Wait)
  reloads the file as wg syncconf does, sessions kept; Get-TaltunConfig shows the running
  configuration as wg showconf does, secrets only with -IncludeSecrets.
- WireGuard's ecosystem both ways: Start-TaltunTunnel reads wg-quick files (named after the file,
  every wg-quick key, errors by line); Convert-TaltunConfig converts between wg-quick and TOML;
  New-TaltunClientConfig -Format WgQuick writes clients for WireGuard's apps, -QrCode as a PNG or
  in the terminal.
- DNS while a tunnel runs (systemd-resolved, resolvconf, or a namespace's resolv.conf), put back
  on stop and after a crash; wg-quick's PreUp/PostUp/PreDown/PostDown hooks; Table = off; FwMark;
  SaveConfig.
- One vocabulary: -Name (alias -Tunnel) everywhere, tunnels bound from the pipeline, public keys
  tab-complete; Uptime and HandshakeAge as TimeSpans; readable Export-Csv.
- Help: -WhatIf/-Confirm in SYNTAX, PowerShell type names, about_Taltun.
- keep_warm (-KeepWarm): less latency for sparse traffic, for some CPU while it flows.
- Linux x64 only: importing elsewhere says so.
'@
        }
    }
}
