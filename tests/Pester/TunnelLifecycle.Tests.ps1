# How tunnels end: a foreground tunnel stops gracefully on SIGTERM (as under systemd), tunnels
# stop when the module is removed and when pwsh exits.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'Taltun.TestHelpers.psm1') -Force
    $script:modulePath = Get-TaltunModulePath
    Import-Module $modulePath -Force
    $script:ns = New-TestNamespace life
    $script:key = (New-TaltunKey).PrivateKey
    # pwsh runs as a dotnet tool here: start the same host the same way (dotnet pwsh.dll).
    $script:pwsh = [Environment]::ProcessPath
    $script:pwshArguments = if ((Split-Path -Leaf $pwsh) -eq 'dotnet') { @("$PSHOME/pwsh.dll") } else { @() }

    function Wait-Until([scriptblock] $Condition, [int] $Seconds = 20) {
        $deadline = (Get-Date).AddSeconds($Seconds)
        while (-not (& $Condition)) {
            if ((Get-Date) -gt $deadline) { return $false }
            Start-Sleep -Milliseconds 100
        }
        $true
    }

    function Start-Pwsh([string] $Script) {
        $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
        foreach ($argument in @($pwshArguments) + @('-NoProfile', '-NonInteractive', '-Command', $Script)) { $start.ArgumentList.Add($argument) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.Environment['NO_COLOR'] = '1'
        [System.Diagnostics.Process]::Start($start)
    }
}

AfterAll {
    Get-TaltunStatus | Where-Object Name -like 'ttl*' | Stop-TaltunTunnel
    Remove-TestNamespace $script:ns
}

Describe 'Start-TaltunTunnel -Wait' {
    It 'streams the log and shuts down gracefully on SIGTERM' {
        $process = Start-Pwsh "Import-Module '$modulePath'; Start-TaltunTunnel -TunName ttlwait -VirtualIP 10.0.6.1 -PrivateKey '$key' -NetworkNamespace $ns -Wait -InformationAction Continue | Out-Null; 'returned'"
        try {
            Wait-Until { (ip -n $ns -o link show | Out-String) -match 'ttlwait' } | Should -BeTrue -Because 'the tunnel must come up'
            kill -TERM $process.Id
            $process.WaitForExit(10000) | Should -BeTrue -Because 'SIGTERM must end the foreground tunnel'
            $output = $process.StandardOutput.ReadToEnd()
            $process.ExitCode | Should -Be 0
            $output | Should -Match "Tunnel 'ttlwait' is up"
            $output | Should -Match "Tunnel 'ttlwait' stopped"
            $output | Should -Match 'returned'
            $output | Should -Not -Match ([regex]::Escape($key))
            ip -n $ns -o link show | Out-String | Should -Not -Match 'ttlwait'
        }
        finally {
            if (-not $process.HasExited) { $process.Kill() }
        }
    }
}

Describe 'The end of a session' {
    It 'stops every tunnel when the module is removed' {
        Start-TaltunTunnel -TunName ttlmod -VirtualIP 10.0.7.1 -PrivateKey $key -LocalAddress 0.0.0.0:9070 -NetworkNamespace $ns | Out-Null
        ip -n $ns -o link show | Out-String | Should -Match 'ttlmod'
        Remove-Module Taltun
        ip -n $ns -o link show | Out-String | Should -Not -Match 'ttlmod'
        Import-Module $modulePath -Force
        Get-TaltunStatus | Where-Object ProcessId -eq $PID | Should -BeNullOrEmpty
    }

    It 'stops every tunnel when pwsh exits, and exits cleanly' {
        $process = Start-Pwsh "Import-Module '$modulePath'; Start-TaltunTunnel -TunName ttlexit -VirtualIP 10.0.8.1 -PrivateKey '$key' -LocalAddress 0.0.0.0:9080 -NetworkNamespace $ns | Out-Null; ip -n $ns -o link show ttlexit; exit 3"
        $process.WaitForExit(20000) | Should -BeTrue
        $process.StandardOutput.ReadToEnd() | Should -Match 'ttlexit'
        $process.ExitCode | Should -Be 3
        ip -n $ns -o link show | Out-String | Should -Not -Match 'ttlexit'
    }
}

Describe 'Start-TaltunTunnel -KeepWarm' {
    It 'turns keep_warm on or, with -KeepWarm:$false, off over the file' {
        # In Pester's own test drive, created for this block and removed after it.
        $file = Join-Path $TestDrive 'warm.toml'
        try {
            New-Item -ItemType File -Path $file | Out-Null
            chmod 600 $file
            "[interface]`nvip = `"10.0.9.1`"`nprivate_key = `"$key`"`nlocal_addr = `"0.0.0.0:9090`"`nkeep_warm = true`n" | Set-Content -Path $file

            Start-TaltunTunnel -TunName ttlwarm -VirtualIP 10.0.9.1 -PrivateKey $key -LocalAddress 0.0.0.0:9090 -NetworkNamespace $ns -KeepWarm | Out-Null
            Get-TaltunConfig ttlwarm -AsText | Should -Match '(?m)^keep_warm = true$'
            Stop-TaltunTunnel ttlwarm

            Start-TaltunTunnel -ConfigPath $file -TunName ttlwarm -NetworkNamespace $ns | Out-Null
            Get-TaltunConfig ttlwarm -AsText | Should -Match '(?m)^keep_warm = true$'
            Stop-TaltunTunnel ttlwarm

            Start-TaltunTunnel -ConfigPath $file -TunName ttlwarm -NetworkNamespace $ns -KeepWarm:$false | Out-Null
            Get-TaltunConfig ttlwarm -AsText | Should -Not -Match 'keep_warm'
        }
        finally {
            Stop-TaltunTunnel ttlwarm -ErrorAction SilentlyContinue
        }
    }
}
