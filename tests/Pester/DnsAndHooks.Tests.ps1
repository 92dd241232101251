# DNS and hooks as a wg-quick user writes them: a tunnel in a namespace this test creates gives it
# its name servers while up and puts back what was there, hooks run with %i and their output in
# the log, a failing PreUp undoes the start, a failing PostDown is reported while the stop
# completes, SaveConfig writes the live peers back, and after kill -9 the next start repairs DNS.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'Taltun.TestHelpers.psm1') -Force
    $script:modulePath = Get-TaltunModulePath
    Import-Module $modulePath -Force
    $script:ns = New-TestNamespace dns
    $script:work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "taltun-pester-dns-$PID")
    $script:key = New-TaltunKey
    $script:resolvConf = "/etc/netns/$ns/resolv.conf"
    $script:hadNetns = Test-Path /etc/netns

    function New-WgQuickFile([string] $Name, [string] $Lines) {
        $path = Join-Path $work "$Name.conf"
        "[Interface]`nPrivateKey = $($key.PrivateKey)`nAddress = 10.47.0.1/24`n$Lines`n" | Set-Content -Path $path
        chmod 600 $path
        $path
    }

    function Set-NamespaceResolvConf([string] $Text) {
        New-Item -ItemType Directory -Force -Path (Split-Path $resolvConf) | Out-Null
        Set-Content -Path $resolvConf -Value $Text -NoNewline
        chmod 644 $resolvConf
    }
}

AfterAll {
    Get-TaltunStatus | Where-Object Name -like 'ttdns*' | Stop-TaltunTunnel -ErrorAction SilentlyContinue
    Remove-TestNamespace $script:ns
    Remove-Item -Recurse -Force "/etc/netns/$ns", "/run/taltun/netns/$ns", $script:work -ErrorAction SilentlyContinue
    if (-not $hadNetns -and -not (Get-ChildItem -Force /etc/netns -ErrorAction SilentlyContinue)) { Remove-Item /etc/netns -ErrorAction SilentlyContinue }
}

Describe 'DNS while a tunnel runs' {
    It 'gives the namespace the file''s name servers and search domains, and puts back what was there' {
        Set-NamespaceResolvConf "nameserver 192.0.2.53`n"
        $config = New-WgQuickFile ttdns0 'DNS = 10.47.0.53, corp.example'
        Start-TaltunTunnel -ConfigPath $config -NetworkNamespace $ns | Out-Null
        $seen = ip netns exec $ns cat /etc/resolv.conf | Out-String
        $seen | Should -Match '(?m)^nameserver 10\.47\.0\.53$'
        $seen | Should -Match '(?m)^search corp\.example$'
        $seen | Should -Not -Match '192\.0\.2\.53'
        Stop-TaltunTunnel ttdns0
        Get-Content $resolvConf -Raw | Should -Be "nameserver 192.0.2.53`n"
        Invoke-Native stat '-c' '%a' $resolvConf | Should -Be '644'
    }

    It 'takes -Dns as a parameter too, and leaves no file where there was none' {
        Remove-Item -Recurse -Force "/etc/netns/$ns"
        Start-TaltunTunnel -Name ttdns1 -VirtualIP 10.48.0.1 -PrivateKey $key.PrivateKey -Dns 10.48.0.53 -NetworkNamespace $ns | Out-Null
        ip netns exec $ns cat /etc/resolv.conf | Out-String | Should -Match 'nameserver 10\.48\.0\.53'
        Stop-TaltunTunnel ttdns1
        Test-Path "/etc/netns/$ns" | Should -BeFalse
    }

    It 'puts DNS back after the process running the tunnel is killed, when the next tunnel starts' {
        Set-NamespaceResolvConf "nameserver 192.0.2.54`n"
        $config = New-WgQuickFile ttdnscrash "DNS = 10.47.0.99`nListenPort = 51830"
        $pwsh = [Environment]::ProcessPath
        $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
        $arguments = @(if ((Split-Path -Leaf $pwsh) -eq 'dotnet') { "$PSHOME/pwsh.dll" }) + @('-NoProfile', '-NonInteractive', '-Command', "Import-Module '$modulePath'; Start-TaltunTunnel -ConfigPath '$config' -NetworkNamespace $ns | Out-Null; Start-Sleep 120")
        foreach ($argument in $arguments) { $start.ArgumentList.Add($argument) }
        $start.RedirectStandardOutput = $true
        $child = [System.Diagnostics.Process]::Start($start)
        try {
            $deadline = (Get-Date).AddSeconds(30)
            while ((Get-Content $resolvConf -Raw) -notmatch '10\.47\.0\.99' -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Get-Content $resolvConf -Raw | Should -Match 'nameserver 10\.47\.0\.99'
            kill -KILL $child.Id
            $child.WaitForExit(10000) | Should -BeTrue
        }
        finally {
            if (-not $child.HasExited) { $child.Kill() }
        }
        Get-Content $resolvConf -Raw | Should -Match '10\.47\.0\.99' -Because 'nothing ran to put it back'
        "/run/taltun/netns/$ns/ttdnscrash.dns" | Should -Exist

        Start-TaltunTunnel -Name ttdns2 -VirtualIP 10.49.0.1 -PrivateKey $key.PrivateKey -NetworkNamespace $ns -WarningVariable warnings -WarningAction SilentlyContinue | Out-Null
        $warnings | Should -Match "Tunnel 'ttdnscrash' ended with its process"
        Get-Content $resolvConf -Raw | Should -Be "nameserver 192.0.2.54`n"
        "/run/taltun/netns/$ns/ttdnscrash.dns" | Should -Not -Exist
        Stop-TaltunTunnel ttdns2
        # The killed process's control socket stays until a tunnel of its name starts again.
        Remove-Item /var/run/wireguard/ttdnscrash.sock -ErrorAction SilentlyContinue
    }
}

Describe 'Hooks' {
    It 'runs PostUp and PostDown with %i, PostUp''s output in the log' {
        $marker = Join-Path $work postdown
        $config = New-WgQuickFile ttdnshook "PostUp = ip -o address show dev %i | grep -o 'inet [0-9./]*'`nPostDown = ip link show %i 2>/dev/null || echo %i is gone > $marker"
        Start-TaltunTunnel -ConfigPath $config -NetworkNamespace $ns | Out-Null
        (Get-TaltunLog ttdnshook).Message | Should -Contain 'PostUp: inet 10.47.0.1/24'
        (Get-TaltunLog ttdnshook).Message | Should -Contain "PostUp: [#] ip -o address show dev ttdnshook | grep -o 'inet [0-9./]*'"
        $marker | Should -Not -Exist
        Stop-TaltunTunnel ttdnshook
        Get-Content $marker | Should -Be 'ttdnshook is gone'
    }

    It 'lets PostUp use wg on the tunnel, as wg-quick''s hooks do' {
        $peer = New-TaltunKey
        $config = New-WgQuickFile ttdnswg "PostUp = wg set %i peer $($peer.PublicKey) allowed-ips 10.47.0.9/32 && wg show %i peers"
        Start-TaltunTunnel -ConfigPath $config -NetworkNamespace $ns | Out-Null
        # wg show printed the key, which the log hides as it hides anything shaped like a key.
        (Get-TaltunLog ttdnswg).Message | Should -Contain 'PostUp: (key hidden)'
        (Get-TaltunLog ttdnswg).Message | Should -Contain "Peer $($peer.PublicKey) added, allowed IPs 10.47.0.9/32."
        (Get-TaltunStatus ttdnswg -Peer).AllowedIPs | Should -Be '10.47.0.9/32'
        Stop-TaltunTunnel ttdnswg
    }

    It 'undoes the start when PreUp fails, naming the hook' {
        $config = New-WgQuickFile ttdnspre "PreUp = test -e /nonexistent/q15-marker"
        try { Start-TaltunTunnel -ConfigPath $config -NetworkNamespace $ns } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'HookFailed,*'
        $failure.Exception.Message | Should -Match 'PreUp hook failed: exit code 1'
        ip -n $ns -o link show | Out-String | Should -Not -Match 'ttdnspre'
        Get-TaltunStatus | Where-Object Name -eq ttdnspre | Should -BeNullOrEmpty
    }

    It 'reports a failing PostDown and still stops the tunnel' {
        $config = New-WgQuickFile ttdnspost "PostDown = echo cleaning up; exit 4"
        Start-TaltunTunnel -ConfigPath $config -NetworkNamespace $ns | Out-Null
        Stop-TaltunTunnel ttdnspost -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'HookFailed,*'
        $failures[0].Exception.Message | Should -Match 'PostDown hook failed: exit code 4'
        ip -n $ns -o link show | Out-String | Should -Not -Match 'ttdnspost'
        Get-TaltunStatus | Where-Object Name -eq ttdnspost | Should -BeNullOrEmpty
    }

    It 'refuses hooks in a file that others can change, naming the line' {
        $config = New-WgQuickFile ttdnsopen "PostUp = echo hello"
        chmod 666 $config
        try { Start-TaltunTunnel -ConfigPath $config -NetworkNamespace $ns } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'InvalidConfiguration,*'
        $failure.Exception.Message | Should -BeLike "$config`:4: ``[Interface``] PostUp: this file makes Taltun run commands as root, yet*chmod go-w*"
        ip -n $ns -o link show | Out-String | Should -Not -Match 'ttdnsopen'
    }
}

Describe 'SaveConfig' {
    It 'writes the live peers back to the wg-quick file when the tunnel stops' {
        $config = New-WgQuickFile ttdnssave "SaveConfig = true`nListenPort = 51831"
        Start-TaltunTunnel -ConfigPath $config -NetworkNamespace $ns | Out-Null
        $peer = New-TaltunKey
        $peer | Add-TaltunPeer ttdnssave -AllowedIPs 10.47.0.9/32
        Stop-TaltunTunnel ttdnssave
        $saved = Get-Content $config -Raw
        $saved | Should -Match "(?m)^PublicKey = $([regex]::Escape($peer.PublicKey))$"
        $saved | Should -Match '(?m)^SaveConfig = true$'
        $saved | Should -Match '(?m)^ListenPort = 51831$'
    }
}
