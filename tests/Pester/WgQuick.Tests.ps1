# WireGuard's ecosystem both ways: a hub started from a wg-quick file, a client written for
# WireGuard's apps (and as a QR code) that wireguard-go brings up with `wg setconf`, conversions
# between wg-quick and TOML, and saving back in the format the tunnel came from. Each host is a
# namespace this test creates.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'Taltun.TestHelpers.psm1') -Force
    Import-Module (Get-TaltunModulePath) -Force
    $script:work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "taltun-pester-wgq-$PID")
    $script:hubNs = New-TestNamespace wgqhub
    $script:phoneNs = New-TestNamespace wgqphone
    Connect-TestNamespace -Hub $hubNs -HubAddress 10.96.0.1 -Client $phoneNs -ClientAddress 10.96.0.12
    $script:hubKey = New-TaltunKey
    $script:spoke = New-TaltunKey
    $PSDefaultParameterValues['*-Taltun*:ErrorAction'] = 'Stop'

    $script:hubConfig = Join-Path $work 'ttwg0.conf'
    @"
# A hub as wg-quick writes one.
[Interface]
PrivateKey = $($hubKey.PrivateKey)
Address = 10.44.0.1/24, fd44::1/64
ListenPort = 51821
MTU = 1400

[Peer]
# an existing spoke
PublicKey = $($spoke.PublicKey)
AllowedIPs = 10.44.0.2/32, fd44::2/128
PersistentKeepalive = 25
"@ | Set-Content -Path $hubConfig
    chmod 600 $hubConfig
}

AfterAll {
    Get-TaltunStatus | Where-Object Name -like 'ttwg*' | Stop-TaltunTunnel
    Get-Process wireguard-go -ErrorAction SilentlyContinue | Where-Object { (Get-Content "/proc/$($_.Id)/cmdline" -Raw) -match 'ttwgphone' } | Stop-Process -Force
    Remove-Item -Force /var/run/wireguard/ttwgphone.sock -ErrorAction SilentlyContinue
    Remove-TestNamespace $script:hubNs, $script:phoneNs
    Remove-Item -Recurse -Force $script:work -ErrorAction SilentlyContinue
}

Describe 'A hub from a wg-quick file' {
    It 'starts from ttwg0.conf, named after the file, with every address and peer of it' {
        $hub = Start-TaltunTunnel -ConfigPath $hubConfig -NetworkNamespace $hubNs
        $hub.Name | Should -Be 'ttwg0'
        $hub.Mode | Should -Be 'Peer'
        $hub.VirtualIP | Should -Be @('10.44.0.1/24', 'fd44::1/64')
        $hub.ListenPort | Should -Be 51821
        $hub.Mtu | Should -Be 1400
        $hub.Relay | Should -Be 'off'
        $peer = Get-TaltunStatus ttwg0 -Peer
        $peer.AllowedIPs | Should -Be @('10.44.0.2/32', 'fd44::2/128')
        $peer.PersistentKeepalive | Should -Be 25
        ip -n $hubNs -o address show dev ttwg0 | Out-String | Should -Match 'inet6 fd44::1/64'
    }

    It 'says which line it cannot honour, without quoting a key' {
        $bad = Join-Path $work 'ttwgbad.conf'
        "[Interface]`nPrivateKey = $($hubKey.PrivateKey)`nAddress = 10.45.0.1/24`nTable = 1234`n" | Set-Content $bad
        try { Start-TaltunTunnel -ConfigPath $bad -NetworkNamespace $hubNs } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'InvalidConfiguration,*'
        $failure.Exception.Message | Should -BeLike "$bad`:4: *Table*"
        $failure.Exception.Message | Should -Not -Match ([regex]::Escape($hubKey.PrivateKey.Substring(0, 8)))
        ip -n $hubNs -o link show | Out-String | Should -Not -Match 'ttwgbad'
    }
}

Describe 'A client for WireGuard''s apps' {
    BeforeAll {
        $script:phone = New-TaltunKey
        $phone | Add-TaltunPeer ttwg0 -AllowedIPs 10.44.0.7/32
        $script:clientConf = Join-Path $work 'ttwgphone.conf'
        $script:written = $phone | New-TaltunClientConfig ttwg0 -VirtualIP 10.44.0.7 -Endpoint 10.96.0.1:51821 -Format WgQuick -Dns 10.44.0.1, corp.example -Path $clientConf -QrCode
    }

    It 'writes a wg-quick file and its QR code, both private' {
        $written.Name | Should -Be @('ttwgphone.conf', 'ttwgphone.png')
        foreach ($file in $written) { Invoke-Native stat '-c' '%a' $file.FullName | Should -Be '600' }
        $text = Get-Content $clientConf -Raw
        $text | Should -Match '(?m)^\[Interface\]$'
        $text | Should -Match "(?m)^PrivateKey = $([regex]::Escape($phone.PrivateKey))$"
        $text | Should -Match '(?m)^Address = 10\.44\.0\.7/24$'
        $text | Should -Match '(?m)^DNS = 10\.44\.0\.1, corp\.example$'
        $text | Should -Match "(?m)^PublicKey = $([regex]::Escape($hubKey.PublicKey))$"
        $text | Should -Match '(?m)^Endpoint = 10\.96\.0\.1:51821$'
        $text | Should -Match '(?m)^PersistentKeepalive = 25$'
        [IO.File]::ReadAllBytes($clientConf)[0] | Should -Be ([byte][char]'#') -Because 'a byte-order mark would break wg and the apps'
    }

    It 'encodes exactly the file in the PNG' {
        # zbarimg says on standard error that it found no D-Bus; the code's text is its standard output.
        $decoded = & zbarimg --quiet --raw $written[1].FullName 2>$null
        $LASTEXITCODE | Should -Be 0
        ($decoded -join "`n").TrimEnd() | Should -Be (Get-Content $clientConf -Raw).TrimEnd()
    }

    It 'prints the QR code in the terminal as Unicode half blocks' {
        $terminal = $phone | New-TaltunClientConfig ttwg0 -VirtualIP 10.44.0.7 -Endpoint 10.96.0.1:51821 -Format WgQuick -Dns 10.44.0.1, corp.example -QrCode
        $terminal | Should -BeOfType [string]
        $terminal | Should -Match '[▀▄█]'
        $terminal | Should -Not -Match ([regex]::Escape($phone.PrivateKey.Substring(0, 6)))
    }

    It 'refuses a QR code of TOML, and a -Path that is where the PNG goes' {
        { New-TaltunKey | New-TaltunClientConfig ttwg0 -VirtualIP 10.44.0.9 -Endpoint 10.96.0.1:51821 -Format Toml -QrCode } | Should -Throw -ErrorId 'InvalidConfiguration,*' -ExpectedMessage '*wg-quick*'
        { New-TaltunKey | New-TaltunClientConfig ttwg0 -VirtualIP 10.44.0.9 -Endpoint 10.96.0.1:51821 -QrCode -Path (Join-Path $work 'phone.png') } | Should -Throw -ErrorId 'InvalidConfiguration,*' -ExpectedMessage '*client.conf*'
        Join-Path $work 'phone.png' | Should -Not -Exist
    }

    It 'brings up wireguard-go with wg setconf from that file, and the phone reaches the hub' {
        $stripped = Join-Path $work 'phone-wg.conf'
        Invoke-Native wg-quick strip $clientConf | Set-Content $stripped
        $env:WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD = '1'
        Invoke-Native ip netns exec $phoneNs wireguard-go ttwgphone | Out-Null
        Invoke-Native ip netns exec $phoneNs wg setconf ttwgphone $stripped | Out-Null
        $address = (Select-String -Path $clientConf -Pattern '^Address = (.*)$').Matches[0].Groups[1].Value
        Invoke-Native ip -n $phoneNs address add $address dev ttwgphone | Out-Null
        Invoke-Native ip -n $phoneNs link set ttwgphone up | Out-Null
        Test-Ping $phoneNs 10.44.0.1 | Should -BeTrue
        (Get-TaltunStatus ttwg0 -Peer -PublicKey $phone.PublicKey).LatestHandshake | Should -BeOfType [datetime]
    }
}

Describe 'Converting between wg-quick and TOML' {
    It 'converts the wg-quick hub to TOML that starts the same tunnel, and back' {
        $toml = Join-Path $work 'ttwgconv.toml'
        Convert-TaltunConfig -Path $hubConfig -Destination $toml | Out-Null
        $text = Get-Content $toml -Raw
        $text | Should -Match 'mode = "peer"'
        $text | Should -Match 'tun_name = "ttwg0"'
        [IO.File]::ReadAllBytes($toml)[0] | Should -Be ([byte][char]'#')

        $back = Convert-TaltunConfig -Path $toml -Format WgQuick
        $back | Should -Match '(?m)^Address = 10\.44\.0\.1/24, fd44::1/64$'
        $back | Should -Match '(?m)^ListenPort = 51821$'
        $back | Should -Match "(?m)^PublicKey = $([regex]::Escape($spoke.PublicKey))$"
        $back | Should -Match '(?m)^AllowedIPs = 10\.44\.0\.2/32, fd44::2/128$'
    }

    It 'warns about what wg-quick cannot express' {
        $toml = Join-Path $work 'relaying.toml'
        "[interface]`nmode = `"server`"`nvip = `"10.46.0.1/24`"`nprivate_key = `"$($hubKey.PrivateKey)`"`n" | Set-Content $toml
        Convert-TaltunConfig -Path $toml -Format WgQuick -WarningVariable warnings -WarningAction SilentlyContinue | Out-Null
        $warnings | Should -Match 'relay'
    }

    It 'writes TOML without a byte-order mark, as Save-TaltunConfig and New-TaltunClientConfig save it' {
        $toml = Join-Path $work 'saved.toml'
        Save-TaltunConfig ttwg0 -Path $toml
        $client = New-TaltunKey | New-TaltunClientConfig ttwg0 -VirtualIP 10.44.0.8 -Endpoint 10.96.0.1:51821 -Path (Join-Path $work 'client.toml')
        foreach ($file in $toml, $client.FullName) {
            $bytes = [IO.File]::ReadAllBytes($file)
            $bytes[0..2] | Should -Not -Be @(0xEF, 0xBB, 0xBF)
            [char]$bytes[0] | Should -Be '#'
        }
        Get-Content $toml -Raw | Should -Match 'mode = "peer"' -Because 'a .toml name asks for TOML'
    }

    It 'saves a tunnel started from a wg-quick file back as wg-quick' {
        Save-TaltunConfig ttwg0 -Path (Join-Path $work 'saved.conf')
        $saved = Get-Content (Join-Path $work 'saved.conf') -Raw
        $saved | Should -Match '(?m)^\[Peer\]$'
        $saved | Should -Match '(?m)^AllowedIPs = 10\.44\.0\.7/32$'
        $saved | Should -Not -Match '\[\[peers\]\]'
    }
}
