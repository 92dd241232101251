# What a careless user and a local attacker do with the cmdlets, and what they get: no part of a
# key in any message, no file written through someone else's, input that makes no sense refused
# with the fix. Tunnels run in a namespace this test creates; file systems that fill up or turn
# read-only are small tmpfs mounts on directories it creates and unmounts.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'Taltun.TestHelpers.psm1') -Force
    $script:modulePath = Get-TaltunModulePath
    Import-Module $modulePath -Force
    $script:ns = New-TestNamespace safe
    $script:work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "taltun-pester-safe-$PID")
    $script:mounts = @()
    $script:hubKey = New-TaltunKey
    # Refusals are non-terminating errors; make them exceptions for try/catch and Should -Throw.
    $PSDefaultParameterValues['*-Taltun*:ErrorAction'] = 'Stop'

    function Start-Hub {
        Start-TaltunTunnel -TunName ttsafe -VirtualIP 10.78.0.1/24 -PrivateKey $hubKey.PrivateKey -LocalAddress 0.0.0.0:9700 -NetworkNamespace $ns | Out-Null
    }

    function Get-KeyPiece([string] $Key, [string] $Text, [int] $Length = 6) {
        # The pieces of the key found in the text; six characters never occur there by chance.
        0..($Key.Length - $Length) | ForEach-Object { $Key.Substring($_, $Length) } | Where-Object { $Text.Contains($_) }
    }

    function Get-StartError([string] $Text) {
        $path = Join-Path $work "$(New-Guid).toml"
        Set-Content -Path $path -Value $Text -NoNewline
        try { Start-TaltunTunnel -ConfigPath $path -NetworkNamespace $ns; $null }
        catch { $_ }
    }

    function New-SmallFileSystem {
        # A 16 KB tmpfs on a directory of our own; AfterAll unmounts it.
        $path = (New-Item -ItemType Directory -Path (Join-Path $work "fs-$(New-Guid)")).FullName
        Invoke-Native mount '-t' tmpfs '-o' size=16k tmpfs $path | Out-Null
        $script:mounts += $path
        $path
    }

    function Start-Pwsh([string] $Script, [int] $Umask) {
        # A second pwsh, started as this one was (a dotnet tool here), under the given umask.
        $pwsh = [Environment]::ProcessPath
        $prefix = if ((Split-Path -Leaf $pwsh) -eq 'dotnet') { "'$pwsh' '$PSHOME/pwsh.dll'" } else { "'$pwsh'" }
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Script))
        & sh -c "umask $Umask && exec $prefix -NoProfile -NonInteractive -EncodedCommand $encoded" 2>&1
    }
}

AfterAll {
    Get-TaltunStatus | Where-Object Name -like 'ttsafe*' | Stop-TaltunTunnel
    foreach ($mount in $script:mounts) { & umount $mount 2>$null; if ($LASTEXITCODE) { & umount --lazy $mount 2>$null } }
    Remove-TestNamespace $script:ns
    Remove-Item -Recurse -Force $script:work -ErrorAction SilentlyContinue
}

Describe 'No part of a key in any message' {
    It 'does not quote a private_key written twice' {
        $key = (New-TaltunKey).PrivateKey
        $failure = Get-StartError "[interface]`nvip = `"10.78.0.1`"`nprivate_key = `"$key`"`nmtu = 1400`nprivate_key = `"$key`"`n"
        $failure.FullyQualifiedErrorId | Should -BeLike 'InvalidConfiguration,*'
        $failure.Exception.Message | Should -Match ':5: syntax: '
        Get-KeyPiece $key "$failure $($failure.TargetObject)" | Should -BeNullOrEmpty
    }

    It 'does not quote the letters of an unquoted key or of a malformed wg-quick file' {
        $key = (New-TaltunKey).PrivateKey
        foreach ($text in "[interface]`nvip = `"10.78.0.1`"`nprivate_key = $key`n", "[Interface]`nPrivateKey = $key`nAddress = 10.78.0.1/24`nPrivateKey = $key`n", "[Interface]`nPrivateKey = $key`nAddress = $key`n") {
            $failure = Get-StartError $text
            $failure.FullyQualifiedErrorId | Should -BeLike 'InvalidConfiguration,*'
            $failure.Exception.Message | Should -Match '\.toml:[34]: '
            Get-KeyPiece $key "$failure" 4 | Should -BeNullOrEmpty
        }
    }
}

Describe 'Files are written safely' {
    BeforeAll { Start-Hub }
    AfterAll { Stop-TaltunTunnel ttsafe }

    It 'does not write through a symlink planted at the old temporary name' {
        $victim = Join-Path $work victim
        'precious' | Set-Content $victim
        $client = Join-Path $work client.toml
        New-Item -ItemType SymbolicLink -Path "$client.tmp" -Target $victim | Out-Null
        New-TaltunKey | New-TaltunClientConfig ttsafe -VirtualIP 10.78.0.5 -Endpoint 198.51.100.1:9700 -Path $client | Out-Null
        Save-TaltunConfig ttsafe -Path $client
        Get-Content $victim | Should -Be 'precious'
        Get-Content $client -Raw | Should -Match 'vip = "10.78.0.1/24"'
        Remove-Item "$client.tmp", $client, $victim
    }

    It 'writes a client file owned by the writer even with a foreign file at the old temporary name' {
        $client = Join-Path $work foreign.toml
        'planted' | Set-Content "$client.tmp"
        Invoke-Native chown 65534:65534 "$client.tmp" | Out-Null
        New-TaltunKey | New-TaltunClientConfig ttsafe -VirtualIP 10.78.0.5 -Endpoint 198.51.100.1:9700 -Path $client | Out-Null
        Invoke-Native stat '-c' '%u:%g %a' $client | Should -Be '0:0 600'
        Get-Content "$client.tmp" | Should -Be 'planted'
    }

    It 'refuses /dev/stdout and leaves it a link' {
        { Save-TaltunConfig ttsafe -Path /dev/stdout } | Should -Throw -ErrorId 'SymbolicLinkNotFollowed,*'
        { Save-TaltunConfig ttsafe -Path /dev/stdout -FollowSymlink } | Should -Throw -ErrorId 'NotARegularFile,*'
        (Get-Item /dev/stdout).LinkTarget | Should -Be '/proc/self/fd/1'
    }

    It 'reports a full and a read-only file system as WriteFailed and leaves nothing behind' {
        $full = New-SmallFileSystem
        'old' | Set-Content (Join-Path $full hub.toml)
        & dd if=/dev/zero "of=$(Join-Path $full filler)" bs=1k 2>$null
        { Save-TaltunConfig ttsafe -Path (Join-Path $full hub.toml) } | Should -Throw -ErrorId 'WriteFailed,*'
        Get-Content (Join-Path $full hub.toml) | Should -Be 'old'
        (Get-ChildItem -Force $full).Name | Sort-Object | Should -Be @('filler', 'hub.toml')

        $readOnly = New-SmallFileSystem
        Invoke-Native mount '-o' 'remount,ro' $readOnly | Out-Null
        try { Save-TaltunConfig ttsafe -Path (Join-Path $readOnly hub.toml) } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'WriteFailed,*'
        $failure.CategoryInfo.Category | Should -Be 'WriteError'
        $failure.Exception.Message | Should -Match 'read-only'
        Get-ChildItem -Force $readOnly | Should -BeNullOrEmpty
    }

    It 'creates no missing directory unless -Force, and then 0700 whatever the umask' {
        $missing = Join-Path $work 'missing/deeper/client.toml'
        { New-TaltunKey | New-TaltunClientConfig ttsafe -VirtualIP 10.78.0.6 -Endpoint 198.51.100.1:9700 -Path $missing } | Should -Throw -ErrorId 'DirectoryNotFound,*'
        Test-Path (Join-Path $work missing) | Should -BeFalse

        $output = Start-Pwsh -Umask 0 @"
Import-Module '$modulePath'
Start-TaltunTunnel -TunName ttsafe2 -VirtualIP 10.79.0.1/24 -PrivateKey '$($hubKey.PrivateKey)' -LocalAddress 0.0.0.0:9701 -NetworkNamespace $ns | Out-Null
New-TaltunKey | New-TaltunClientConfig ttsafe2 -VirtualIP 10.79.0.5 -Endpoint 198.51.100.1:9701 -Path '$missing' -Force | Out-Null
Stop-TaltunTunnel ttsafe2
'done'
"@
        $output | Select-Object -Last 1 | Should -Be 'done'
        Invoke-Native stat '-c' '%a' (Join-Path $work missing) (Join-Path $work missing/deeper) $missing | Should -Be @('700', '700', '600')
    }
}

Describe 'Addresses make sense' {
    BeforeEach { Start-Hub }
    AfterEach { Stop-TaltunTunnel ttsafe }

    It 'refuses another peer''s virtual IP as an allowed IP, naming the owner, and moves it with -Force' {
        $owner = New-TaltunKey
        $owner | Add-TaltunPeer ttsafe -VirtualIP 10.78.0.2 -AllowedIPs 192.168.77.0/24
        $taker = New-TaltunKey
        try { $taker | Add-TaltunPeer ttsafe -AllowedIPs 10.78.0.2/32, 192.168.77.0/24 } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'InvalidConfiguration,*'
        $failure.Exception.Message | Should -BeLike "*10.78.0.2/32 already belongs to peer $($owner.PublicKey) (10.78.0.2)*-Force*"
        (Get-TaltunStatus ttsafe -Peer).Count | Should -Be 1

        { $taker | Add-TaltunPeer ttsafe -AllowedIPs 10.78.0.2/32, 192.168.77.0/24 -Force } | Should -Throw -ErrorId 'InvalidConfiguration,*'
        $taker | Add-TaltunPeer ttsafe -VirtualIP 10.78.0.3 -AllowedIPs 192.168.77.0/24 -Force
        (Get-TaltunStatus ttsafe -Peer -PublicKey $owner.PublicKey).AllowedIPs | Should -Be @('10.78.0.2/32')
        (Get-TaltunStatus ttsafe -Peer -PublicKey $taker.PublicKey).AllowedIPs | Should -Be @('10.78.0.3/32', '192.168.77.0/24')

        $saved = Join-Path $work moved.toml
        Save-TaltunConfig ttsafe -Path $saved
        Stop-TaltunTunnel ttsafe
        Start-TaltunTunnel -ConfigPath $saved -NetworkNamespace $ns | Out-Null
        (Get-TaltunStatus ttsafe -Peer -PublicKey $taker.PublicKey).AllowedIPs | Should -Be @('10.78.0.3/32', '192.168.77.0/24')

        Remove-TaltunPeer ttsafe $owner.PublicKey
        ip -n $ns route show | Out-String | Should -Match '192\.168\.77\.0/24 dev ttsafe'
        Remove-TaltunPeer ttsafe $taker.PublicKey
        ip -n $ns route show | Out-String | Should -Not -Match '192\.168\.77\.0/24'
    }

    It 'refuses a peer that is the tunnel''s own private key or owns no address' {
        try { Add-TaltunPeer ttsafe -PublicKey $hubKey.PrivateKey -VirtualIP 10.78.0.9 } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'InvalidConfiguration,*'
        $failure.Exception.Message | Should -Match 'own private key'
        Get-KeyPiece $hubKey.PrivateKey "$failure $($failure.TargetObject)" | Should -BeNullOrEmpty
        { New-TaltunKey | Add-TaltunPeer ttsafe -Endpoint 198.51.100.1:9700 } | Should -Throw -ErrorId 'InvalidConfiguration,*'
        Get-TaltunStatus ttsafe -Peer | Should -BeNullOrEmpty
    }

    It 'puts the warning for a /0 allowed IP on the warning stream as well as the log' {
        New-TaltunKey | Add-TaltunPeer ttsafe -VirtualIP 10.78.0.4 -AllowedIPs 0.0.0.0/0 -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -Match 'No kernel route added for 0.0.0.0/0'
        (Get-TaltunLog ttsafe | Where-Object Level -eq Warning).Message | Should -Match 'No kernel route added for 0.0.0.0/0'
    }
}

Describe 'Input that makes no sense is refused with the fix' {
    AfterEach { Get-TaltunStatus | Where-Object Name -eq ttsafe | Stop-TaltunTunnel }

    It 'says <Expected> for <Parameters>' -ForEach @(
        @{ Parameters = @{ VirtualIP = '10.78.0.0/24' }; Expected = '10.78.0.0 is the network address of 10.78.0.0/24' }
        @{ Parameters = @{ VirtualIP = '10.78.0.1'; LocalAddress = '0.0.0.0:70000' }; Expected = 'port 70000 is out of range: use 0 to 65535' }
        @{ Parameters = @{ VirtualIP = '10.78.0.1'; LocalAddress = '::1:9100' }; Expected = 'write [[]::1]:9100' }
        @{ Parameters = @{ VirtualIP = '10.78.0.1'; Route = '10.0.0.0/33' }; Expected = 'prefix length 33 is out of range: use 0 to 32' }
        @{ Parameters = @{ VirtualIP = '10.78.0.2'; Mode = 'Client' }; Expected = 'a client needs its hub' }
    ) {
        try { Start-TaltunTunnel -PrivateKey $hubKey.PrivateKey -TunName ttsafe -NetworkNamespace $ns @Parameters } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'InvalidConfiguration,*'
        $failure.Exception.Message | Should -BeLike "*$Expected*"
        ip -n $ns link show | Out-String | Should -Not -Match 'ttsafe'
    }

    It 'says a directory given as -ConfigPath is a directory' {
        { Start-TaltunTunnel -ConfigPath $work } | Should -Throw -ExpectedMessage "*$work*is a directory*"
    }
}
