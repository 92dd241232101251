# Every cmdlet on a tunnel another process runs (a -Wait hub in a pwsh of its own), returning the
# objects and errors it returns in-process: a live peer changed as wg set changes it with its
# session kept, the running configuration shown as wg showconf shows it, a reload as wg syncconf
# makes it (an invalid file changing nothing), peers removed, and the tunnel stopped.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'Taltun.TestHelpers.psm1') -Force
    Import-Module (Get-TaltunModulePath) -Force
    $script:work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "taltun-remote-$PID")
    $script:hubNs = New-TestNamespace rmhub
    $script:clientNs = New-TestNamespace rmc
    Connect-TestNamespace -Hub $hubNs -HubAddress 10.95.0.1 -Client $clientNs -ClientAddress 10.95.0.2

    $script:hubKey = New-TaltunKey
    $script:psk = New-TaltunKey -Preshared
    $script:hubConfig = Join-Path $work 'trhub.toml'
    @"
[interface]
mode = "server"
tun_name = "trhub"
vip = "10.0.0.1/24"
local_addr = "0.0.0.0:9000"
private_key = "$($hubKey.PrivateKey)"
"@ | Set-Content -Path $hubConfig
    chmod 600 $hubConfig

    $script:hub = Start-ForegroundTunnel -Name trhub -ConfigPath $hubConfig -Namespace $hubNs -LogPath (Join-Path $work 'hub.log')
    $script:client = New-TaltunKey
    Add-TaltunPeer trhub -PublicKey $client.PublicKey -VirtualIP 10.0.0.2
    New-TaltunClientConfig trhub -PrivateKey $client.PrivateKey -VirtualIP 10.0.0.2 -Endpoint 10.95.0.1:9000 -Path (Join-Path $work 'client.toml') | Out-Null
    Start-TaltunTunnel -ConfigPath (Join-Path $work 'client.toml') -Name trc -NetworkNamespace $clientNs | Out-Null

    function Get-Handshake {
        (Get-TaltunStatus trhub -Peer -PublicKey $client.PublicKey).LatestHandshake
    }
}

AfterAll {
    if ($script:hub -and -not $script:hub.HasExited) { $script:hub.Kill(); $script:hub.WaitForExit() }
    Stop-TaltunTunnel trc -ErrorAction SilentlyContinue
    Remove-TestNamespace $script:hubNs, $script:clientNs
    Remove-Item -Recurse -Force $script:work -ErrorAction SilentlyContinue
}

Describe 'Cmdlets on a tunnel of another process' {
    It 'carries traffic to the client added from here' {
        Test-Ping $clientNs 10.0.0.1 | Should -BeTrue
        $script:handshake = Get-Handshake
        $handshake | Should -Not -BeNullOrEmpty
    }

    It 'changes the live peer as wg set does, and the session goes on' {
        $peer = Set-TaltunPeer trhub $client.PublicKey -PersistentKeepalive 25 -AddAllowedIPs 192.168.40.0/24, 192.168.41.0/24 -PassThru
        $peer | Should -BeOfType Taltun.PowerShell.TaltunPeer
        $peer.PersistentKeepalive | Should -Be 25
        @($peer.AllowedIPs) | Should -Be @('10.0.0.2/32', '192.168.40.0/24', '192.168.41.0/24')
        (Invoke-Native wg show trhub allowed-ips) | Should -Match '192\.168\.40\.0/24'
        ip -n $hubNs route show 192.168.40.0/24 | Should -Match 'dev trhub'

        Set-TaltunPeer trhub $client.PublicKey -RemoveAllowedIPs 192.168.41.0/24
        @((Get-TaltunStatus trhub -Peer).AllowedIPs) | Should -Be @('10.0.0.2/32', '192.168.40.0/24')
        ip -n $hubNs route show 192.168.41.0/24 | Should -BeNullOrEmpty

        Set-TaltunPeer trhub $client.PublicKey -AllowedIPs 10.0.0.2/32 -Endpoint 10.95.0.2:9000
        @((Get-TaltunStatus trhub -Peer).AllowedIPs) | Should -Be @('10.0.0.2/32')

        Test-Ping $clientNs 10.0.0.1 | Should -BeTrue
        Get-Handshake | Should -Be $handshake -Because 'no change above needs a new handshake'
    }

    It 'sets and removes a preshared key, never showing it' {
        $peer = Set-TaltunPeer trhub $client.PublicKey -PresharedKey $psk.PresharedKey -PassThru -WhatIf:$false
        $peer.HasPresharedKey | Should -BeTrue
        (Get-TaltunConfig trhub).Text | Should -Not -Match ([regex]::Escape($psk.PresharedKey))
        (Get-TaltunConfig trhub -IncludeSecrets).Peers[0].PresharedKey | Should -Be $psk.PresharedKey
        Set-TaltunPeer trhub $client.PublicKey -RemovePresharedKey
        (Get-TaltunStatus trhub -Peer).HasPresharedKey | Should -BeFalse
    }

    It 'refuses what makes no sense with the in-process errors, changing nothing' {
        { Set-TaltunPeer trhub $hubKey.PublicKey -PersistentKeepalive 5 -ErrorAction Stop } | Should -Throw -ErrorId 'PeerNotFound,Taltun.PowerShell.Commands.SetTaltunPeerCommand'
        { Set-TaltunPeer trhub $client.PublicKey -AddAllowedIPs 10.0.0.0/33 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidConfiguration,Taltun.PowerShell.Commands.SetTaltunPeerCommand'
        { Set-TaltunPeer trhub $client.PublicKey -PresharedKey 'short' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidKey,Taltun.PowerShell.Commands.SetTaltunPeerCommand'
        { Add-TaltunPeer trhub -PublicKey $client.PublicKey -VirtualIP 10.0.0.9 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidConfiguration,Taltun.PowerShell.Commands.AddTaltunPeerCommand'
        @((Get-TaltunStatus trhub -Peer).AllowedIPs) | Should -Be @('10.0.0.2/32')
    }

    It 'shows the running configuration as an object and as a file, keys only when asked' {
        $config = Get-TaltunConfig trhub
        $config | Should -BeOfType Taltun.PowerShell.TaltunConfig
        $config.PrivateKey | Should -BeNullOrEmpty
        $config.Text | Should -Not -Match 'private_key'
        $config.Peers.PublicKey | Should -Be @($client.PublicKey)
        $config.ListenAddress | Should -Be '0.0.0.0:9000'

        $withKeys = Get-TaltunConfig trhub -IncludeSecrets -AsText
        $withKeys | Should -Match ([regex]::Escape($hubKey.PrivateKey))
        (Get-TaltunConfig trhub -Format WgQuick -AsText) | Should -Match '(?m)^\[Peer\]$'
        Get-TaltunLog trhub | Out-String | Should -Not -Match ([regex]::Escape($hubKey.PrivateKey))
    }

    It 'reloads its file as wg syncconf does, and an invalid file changes nothing' {
        Save-TaltunConfig trhub
        $extra = New-TaltunKey
        "`n[[peers]]`npublic_key = `"$($extra.PublicKey)`"`nvip = `"10.0.0.3`"`n" | Add-Content -Path $hubConfig
        (Get-Content $hubConfig -Raw) -replace 'mtu = 1420', 'mtu = 1400' | Set-Content $hubConfig

        $tunnel = Sync-TaltunConfig trhub -PassThru -WarningVariable warnings -WarningAction SilentlyContinue
        $tunnel | Should -BeOfType Taltun.PowerShell.TaltunTunnel
        $tunnel.Peers.PublicKey | Should -Contain $extra.PublicKey
        $warnings | Should -Match 'mtu changed'
        Test-Ping $clientNs 10.0.0.1 | Should -BeTrue
        Get-Handshake | Should -Be $handshake -Because 'the client was left as it was'

        $broken = Join-Path $work 'broken.toml'
        (Get-Content $hubConfig -Raw) + "`n[[peers]]`npublic_key = `"$($extra.PublicKey)`"`n" | Set-Content $broken
        $failure = { Sync-TaltunConfig trhub -Path $broken -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidConfiguration,Taltun.PowerShell.Commands.SyncTaltunConfigCommand' -PassThru
        $failure.Exception.Message | Should -Match ([regex]::Escape($broken) + ':\d+')
        (Get-TaltunStatus trhub -Peer).Count | Should -Be 2
    }

    It 'removes a peer' {
        $extra = (Get-TaltunStatus trhub -Peer | Where-Object VirtualIP -eq '10.0.0.3')
        $extra | Remove-TaltunPeer
        (Get-TaltunStatus trhub -Peer).Count | Should -Be 1
        { Remove-TaltunPeer trhub $extra.PublicKey -ErrorAction Stop } | Should -Throw -ErrorId 'PeerNotFound,Taltun.PowerShell.Commands.RemoveTaltunPeerCommand'
    }

    It 'stops as if its own process had stopped it' {
        Stop-TaltunTunnel trhub
        $hub.WaitForExit(30000) | Should -BeTrue
        $hub.ExitCode | Should -Be 0
        Get-Content (Join-Path $work 'hub.log') -Raw | Should -Match "Tunnel 'trhub' stopped"
        Test-Path /var/run/wireguard/trhub.sock | Should -BeFalse
        { Get-TaltunStatus trhub -ErrorAction Stop } | Should -Throw -ErrorId 'TunnelNotFound,Taltun.PowerShell.Commands.GetTaltunStatusCommand'
    }
}
