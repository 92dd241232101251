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
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('VPN', 'WireGuard', 'Linux', 'Tunnel', 'Network')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
