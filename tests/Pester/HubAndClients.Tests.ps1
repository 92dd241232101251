# The user story end to end: a hub from TOML, the provisioning script adds three clients live
# and writes their files, the clients start from those files, everyone pings everyone, the
# status shows it, and stopping leaves nothing behind. Each host is a namespace this test creates;
# all tunnels run in this pwsh process (-NetworkNamespace).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'Taltun.TestHelpers.psm1') -Force
    Import-Module (Get-TaltunModulePath) -Force
    $script:work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "taltun-pester-$PID")
    $script:namespaces = @()
    $script:hubNs = New-TestNamespace hub
    $script:namespaces += $hubNs
    $script:clientNs = 1..3 | ForEach-Object {
        $ns = New-TestNamespace "c$_"
        $script:namespaces += $ns
        Connect-TestNamespace -Hub $hubNs -HubAddress 10.97.0.1 -Client $ns -ClientAddress "10.97.0.1$_"
        $ns
    }

    $hubKey = New-TaltunKey
    $script:hubConfig = Join-Path $work 'hub.toml'
    @"
[interface]
mode = "server"
tun_name = "tthub"
vip = "10.0.0.1/24"
local_addr = "0.0.0.0:9000"
private_key = "$($hubKey.PrivateKey)"
"@ | Set-Content -Path $hubConfig
    chmod 600 $hubConfig
}

AfterAll {
    Get-TaltunStatus | Where-Object Name -like 'tt*' | Stop-TaltunTunnel
    Remove-TestNamespace $script:namespaces
    Remove-Item -Recurse -Force $script:work -ErrorAction SilentlyContinue
}

Describe 'A hub with three provisioned clients' {
    It 'starts the hub from its TOML file' {
        $hub = Start-TaltunTunnel -ConfigPath $hubConfig -NetworkNamespace $hubNs
        $hub.Name | Should -Be 'tthub'
        $hub.Mode | Should -Be 'Server'
        $hub.VirtualIP | Should -Be '10.0.0.1/24'
        ip -n $hubNs -o address show dev tthub | Out-String | Should -Match 'inet 10\.0\.0\.1/24'
    }

    It 'provisions three clients live with the documented script and saves the hub''s peers' {
        $script:clients = & (Join-Path $PSScriptRoot '../../examples/Add-TaltunClients.ps1') -Tunnel tthub -Count 3 -Endpoint 10.97.0.1:9000 -OutputDirectory (Join-Path $work clients) -Save
        $clients.VirtualIP | Should -Be @('10.0.0.2', '10.0.0.3', '10.0.0.4')
        (Get-TaltunStatus tthub -Peer).VirtualIP | Sort-Object | Should -Be @('10.0.0.2', '10.0.0.3', '10.0.0.4')
        (Get-Item (Join-Path $work clients)).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
        foreach ($client in $clients) {
            (Get-Item $client.ConfigPath).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
            Get-Content $client.ConfigPath -Raw | Should -Match 'mode = "client"'
        }
        (Get-Content $hubConfig -Raw | Select-String -AllMatches '\[\[peers\]\]').Matches.Count | Should -Be 3
    }

    It 'starts each client from its exported file' {
        for ($i = 0; $i -lt 3; $i++) {
            $tunnel = Start-TaltunTunnel -ConfigPath $clients[$i].ConfigPath -TunName "ttc$($i + 1)" -NetworkNamespace $clientNs[$i]
            $tunnel.Mode | Should -Be 'Client'
        }
        (Get-TaltunStatus | Where-Object ProcessId -eq $PID).Count | Should -Be 4
    }

    It 'lets every client reach the hub and every other client' {
        for ($i = 0; $i -lt 3; $i++) {
            Test-Ping $clientNs[$i] 10.0.0.1 | Should -BeTrue -Because "client $($i + 1) must reach the hub"
            foreach ($other in 2..4) {
                if ($other -ne $i + 2) {
                    Test-Ping $clientNs[$i] "10.0.0.$other" | Should -BeTrue -Because "client $($i + 1) must reach 10.0.0.$other through the hub"
                }
            }
        }
        Test-Ping $hubNs 10.0.0.3 | Should -BeTrue
    }

    It 'shows handshakes and counters that grow' {
        $before = Get-TaltunStatus tthub -Peer
        $before | ForEach-Object { $_.LatestHandshake | Should -BeOfType [datetime] }
        $before | ForEach-Object { $_.Endpoint | Should -Match '^10\.97\.0\.1\d:9000$' }
        Test-Ping $clientNs[0] 10.0.0.1 | Should -BeTrue
        $after = Get-TaltunStatus tthub -Peer -PublicKey $clients[0].PublicKey
        $after.RxBytes | Should -BeGreaterThan ($before | Where-Object PublicKey -eq $clients[0].PublicKey).RxBytes
        (Get-TaltunStatus tthub -Peer | Format-Table | Out-String) | Should -Match 's ago'
        Get-TaltunLog tthub | Where-Object Message -like 'Handshake*completed*' | Should -Not -BeNullOrEmpty
    }

    It 'stops nothing with -WhatIf' {
        Get-TaltunStatus | Where-Object ProcessId -eq $PID | Stop-TaltunTunnel -WhatIf
        (Get-TaltunStatus | Where-Object ProcessId -eq $PID).Count | Should -Be 4
        Test-Ping $clientNs[1] 10.0.0.1 | Should -BeTrue
    }

    It 'changes nothing on the system for a bad config and says why' {
        $bad = Join-Path $work 'bad.toml'
        "[interface]`ntun_name = `"ttbad`"`nvip = `"10.0.9.1/24`"`nmtu = 99999`n" | Set-Content $bad
        { Start-TaltunTunnel -ConfigPath $bad -NetworkNamespace $hubNs } | Should -Throw -ErrorId 'InvalidConfiguration,Taltun.PowerShell.Commands.StartTaltunTunnelCommand'
        try { Start-TaltunTunnel -ConfigPath $bad -NetworkNamespace $hubNs } catch { $_.Exception.Message | Should -Match 'bad\.toml:4: interface\.mtu' }
        ip -n $hubNs link show | Out-String | Should -Not -Match 'ttbad'
        (Get-TaltunStatus | Where-Object ProcessId -eq $PID).Count | Should -Be 4
    }

    It 'leaves no interface, address or route behind after Stop-TaltunTunnel' {
        Get-TaltunStatus | Where-Object ProcessId -eq $PID | Stop-TaltunTunnel
        Get-TaltunStatus | Where-Object ProcessId -eq $PID | Should -BeNullOrEmpty
        foreach ($ns in @($hubNs) + $clientNs) {
            ip -n $ns -o link show | Out-String | Should -Not -Match 'tt(hub|c\d)'
            ip -n $ns -o address show | Out-String | Should -Not -Match '10\.0\.0\.'
            ip -n $ns route show | Out-String | Should -Not -Match '10\.0\.0\.'
        }
    }

    It 'restarts the hub from its saved file with the provisioned clients' {
        $hub = Start-TaltunTunnel -ConfigPath $hubConfig -NetworkNamespace $hubNs
        $hub.Peers.VirtualIP | Sort-Object | Should -Be @('10.0.0.2', '10.0.0.3', '10.0.0.4')
        Stop-TaltunTunnel tthub
    }
}

Describe 'Tunnels across runspaces' {
    It 'shows a tunnel started inside a ThreadJob in the main runspace, and it outlives the job' {
        $key = (New-TaltunKey).PrivateKey
        $module = Get-TaltunModulePath
        Start-ThreadJob {
            Import-Module $using:module
            Start-TaltunTunnel -TunName ttjob -VirtualIP 10.0.5.1 -PrivateKey $using:key -LocalAddress 0.0.0.0:9050 -NetworkNamespace $using:hubNs | Out-Null
        } | Receive-Job -Wait -AutoRemoveJob
        $tunnel = Get-TaltunStatus ttjob
        $tunnel.VirtualIP | Should -Be '10.0.5.1/24'
        ip -n $hubNs link show ttjob | Out-String | Should -Match 'ttjob'
        Stop-TaltunTunnel ttjob
        ip -n $hubNs -o link show | Out-String | Should -Not -Match 'ttjob'
    }
}

Describe 'Provisioning fifty clients' {
    It 'adds fifty peers live and writes fifty distinct, private client files' {
        $key = New-TaltunKey
        $config = Join-Path $work 'hub50.toml'
        "[interface]`ntun_name = `"tt50`"`nvip = `"10.0.50.1/24`"`nlocal_addr = `"0.0.0.0:9500`"`nprivate_key = `"$($key.PrivateKey)`"`n" | Set-Content $config
        chmod 600 $config
        Start-TaltunTunnel -ConfigPath $config -NetworkNamespace $hubNs | Out-Null
        try {
            $elapsed = Measure-Command {
                $script:fifty = & (Join-Path $PSScriptRoot '../../examples/Add-TaltunClients.ps1') -Tunnel tt50 -Count 50 -Endpoint vpn.example.com:9500 -OutputDirectory (Join-Path $work fifty) -Save
            }
            Write-Host "    provisioned 50 clients in $([int]$elapsed.TotalMilliseconds) ms"
            $fifty.Count | Should -Be 50
            ($fifty.VirtualIP | Sort-Object -Unique).Count | Should -Be 50
            $fifty.VirtualIP | Should -Not -Contain '10.0.50.1'
            (Get-TaltunStatus tt50 -Peer).Count | Should -Be 50
            (Get-ChildItem (Join-Path $work fifty) -Filter *.toml).Count | Should -Be 50
            (Get-Content $config -Raw | Select-String -AllMatches '\[\[peers\]\]').Matches.Count | Should -Be 50
            Get-Content $fifty[49].ConfigPath -Raw | Should -Match 'endpoint = "vpn.example.com:9500"'
        }
        finally {
            Stop-TaltunTunnel tt50
        }
    }
}
