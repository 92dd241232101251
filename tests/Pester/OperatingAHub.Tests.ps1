# A hub as it runs in production, operated from outside the process that runs it: a -Wait hub in
# a pwsh of its own (as its service unit runs it); this process provisions ten clients with the
# cmdlets and starts them; Debian's wg lists them and removes one; the hub's file gains a peer and
# SIGHUP makes it live without touching the others' sessions; SIGKILL, an immediate restart, and
# the clients come back; SIGTERM leaves no interface, socket or route. Each host is a namespace
# this test creates.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'Taltun.TestHelpers.psm1') -Force
    Import-Module (Get-TaltunModulePath) -Force
    $script:work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "taltun-operating-$PID")
    $script:namespaces = @()
    $script:hubNs = New-TestNamespace ophub
    $script:namespaces += $hubNs
    $script:clientNs = 1..11 | ForEach-Object {
        $ns = New-TestNamespace "opc$_"
        $script:namespaces += $ns
        Connect-TestNamespace -Hub $hubNs -HubAddress 10.96.0.1 -Client $ns -ClientAddress "10.96.0.$(10 + $_)"
        $ns
    }

    $hubKey = New-TaltunKey
    $script:hubConfig = Join-Path $work 'tohub.toml'
    @"
[interface]
mode = "server"
tun_name = "tohub"
vip = "10.0.0.1/24"
local_addr = "0.0.0.0:9000"
private_key = "$($hubKey.PrivateKey)"
"@ | Set-Content -Path $hubConfig
    chmod 600 $hubConfig

    function Start-Hub {
        Start-ForegroundTunnel -Name tohub -ConfigPath $hubConfig -Namespace $hubNs -LogPath (Join-Path $work "hub-$(Get-Random).log")
    }

    function Wait-Ping([string[]] $Namespace, [string] $Address, [int] $Seconds) {
        # The namespaces that still cannot reach Address after Seconds (each tried until it can).
        $deadline = (Get-Date).AddSeconds($Seconds)
        $waiting = [System.Collections.Generic.List[string]]::new([string[]]$Namespace)
        while ($waiting.Count -gt 0 -and (Get-Date) -lt $deadline) {
            foreach ($ns in @($waiting)) {
                $output = & ip netns exec $ns ping -c 1 -W 1 $Address 2>&1 | Out-String
                if ($output -match '1 received') { [void]$waiting.Remove($ns) }
            }
        }
        , $waiting.ToArray()
    }

    function Get-HandshakeTimes {
        # wg show's latest handshakes of the hub: public key -> seconds since the epoch.
        $times = @{}
        foreach ($line in (Invoke-Native wg show tohub latest-handshakes)) {
            $key, $seconds = $line -split '\s+'
            $times[$key] = [long]$seconds
        }
        $times
    }
}

AfterAll {
    if ($script:hub -and -not $script:hub.HasExited) { $script:hub.Kill() ; $script:hub.WaitForExit() }
    Get-TaltunStatus | Where-Object { $_.Name -like 'toc*' -and $_.ProcessId -eq $PID } | Stop-TaltunTunnel
    Remove-TestNamespace $script:namespaces
    Remove-Item -Recurse -Force $script:work -ErrorAction SilentlyContinue
}

Describe 'A -Wait hub operated from another process and by wg' {
    It 'is listed by Get-TaltunStatus of this process with the process that runs it' {
        $script:hub = Start-Hub
        $status = Get-TaltunStatus tohub
        $status.ProcessId | Should -Be $hub.Id
        $status.NetworkNamespace | Should -Be $hubNs
        $status.ConfigPath | Should -Be $hubConfig
        $status | Should -BeOfType Taltun.PowerShell.TaltunTunnel
        Invoke-Native wg show interfaces | Should -Match '\btohub\b'
    }

    It 'takes ten clients provisioned from here, and they reach it' {
        $script:clients = & (Join-Path $PSScriptRoot '../../examples/Add-TaltunClients.ps1') -Name tohub -Count 10 -Endpoint 10.96.0.1:9000 -OutputDirectory (Join-Path $work clients) -Save
        $clients.Count | Should -Be 10
        (Get-TaltunStatus tohub -Peer).Count | Should -Be 10
        for ($i = 0; $i -lt 10; $i++) {
            Start-TaltunTunnel -ConfigPath $clients[$i].ConfigPath -Name "toc$($i + 1)" -NetworkNamespace $clientNs[$i] | Out-Null
        }
        Wait-Ping $clientNs[0..9] 10.0.0.1 30 | Should -BeNullOrEmpty -Because 'every client reaches the hub'
        Get-TaltunLog tohub | Where-Object Message -match 'added' | Should -HaveCount 10
    }

    It 'is listed by wg show with a handshake for every client' {
        $dump = @(Invoke-Native wg show tohub dump)
        $peers = $dump | Select-Object -Skip 1
        $peers | Should -HaveCount 10
        foreach ($line in $peers) {
            $fields = $line -split "`t"
            $fields[0] | Should -BeIn $clients.PublicKey
            [long]$fields[4] | Should -BeGreaterThan 0 -Because "peer $($fields[0]) shook hands"
        }
    }

    It 'loses a client that wg set removes' {
        Invoke-Native wg set tohub peer $clients[0].PublicKey remove | Out-Null
        (Get-TaltunStatus tohub -Peer).PublicKey | Should -Not -Contain $clients[0].PublicKey
        Test-Ping $clientNs[0] 10.0.0.1 | Should -BeFalse
        Test-Ping $clientNs[1] 10.0.0.1 | Should -BeTrue
    }

    It 'makes a peer added to its file live on SIGHUP, leaving the other sessions alone' {
        Save-TaltunConfig tohub
        $before = Get-HandshakeTimes
        $before.Count | Should -Be 9
        $newKey = New-TaltunKey
        New-TaltunClientConfig tohub -PrivateKey $newKey.PrivateKey -VirtualIP 10.0.0.50 -Endpoint 10.96.0.1:9000 -Path (Join-Path $work 'new.toml') | Out-Null
        "`n[[peers]]`npublic_key = `"$($newKey.PublicKey)`"`nvip = `"10.0.0.50`"`n" | Add-Content -Path $hubConfig

        Invoke-Native kill -HUP $hub.Id | Out-Null
        $deadline = (Get-Date).AddSeconds(20)
        while ((Get-Date) -lt $deadline -and (Get-TaltunStatus tohub -Peer).PublicKey -notcontains $newKey.PublicKey) { Start-Sleep -Milliseconds 200 }
        (Get-TaltunStatus tohub -Peer).PublicKey | Should -Contain $newKey.PublicKey
        Start-TaltunTunnel -ConfigPath (Join-Path $work 'new.toml') -Name toc11 -NetworkNamespace $clientNs[10] | Out-Null
        Wait-Ping $clientNs[10] 10.0.0.1 20 | Should -BeNullOrEmpty -Because 'the new client reaches the hub'

        # Traffic on every old session: one the reload had dropped would need a new handshake now.
        Wait-Ping $clientNs[1..9] 10.0.0.1 20 | Should -BeNullOrEmpty
        $after = Get-HandshakeTimes
        foreach ($key in $before.Keys) {
            $after[$key] | Should -Be $before[$key] -Because "peer $key kept its session through the reload"
        }
        Get-TaltunLog tohub | Where-Object Message -match 'reloaded from .*1 peer\(s\) added, 0 removed, 0 changed' | Should -Not -BeNullOrEmpty
    }

    It 'logs an invalid file on SIGHUP and runs on exactly as before' {
        $good = Get-Content $hubConfig -Raw
        $peers = (Get-TaltunStatus tohub -Peer).PublicKey
        try {
            $good + "`n[[peers]]`npublic_key = `"not a key`"`n" | Set-Content -Path $hubConfig
            Invoke-Native kill -HUP $hub.Id | Out-Null
            $deadline = (Get-Date).AddSeconds(20)
            while ((Get-Date) -lt $deadline -and -not (Get-TaltunLog tohub -Level Error)) { Start-Sleep -Milliseconds 200 }
            (Get-TaltunLog tohub -Level Error).Message | Should -Match "Reloading tunnel 'tohub' from .* failed, and it runs on unchanged: .*public_key"
            (Get-TaltunStatus tohub -Peer).PublicKey | Should -Be $peers
        }
        finally {
            Set-Content -Path $hubConfig -Value $good -NoNewline
        }
    }

    It 'comes back at once after SIGKILL, and its clients with it' {
        $hub.Kill()
        $hub.WaitForExit()
        Test-Path /var/run/wireguard/tohub.sock | Should -BeTrue -Because 'a killed process leaves its socket'
        $script:hub = Start-Hub
        (Get-TaltunStatus tohub).ProcessId | Should -Be $hub.Id
        # A client whose session the hub forgot starts a new handshake once its packets go unanswered (15 s).
        Wait-Ping ($clientNs[1..10]) 10.0.0.1 60 | Should -BeNullOrEmpty -Because 'every client of the file comes back'
    }

    It 'leaves no interface, socket or route after SIGTERM' {
        Invoke-Native kill -TERM $hub.Id | Out-Null
        $hub.WaitForExit(30000) | Should -BeTrue
        $hub.ExitCode | Should -Be 0
        Test-Path /var/run/wireguard/tohub.sock | Should -BeFalse
        ip -n $hubNs link show tohub 2>$null | Should -BeNullOrEmpty
        ip -n $hubNs route show proto 84 | Should -BeNullOrEmpty
        Get-TaltunStatus tohub -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}
