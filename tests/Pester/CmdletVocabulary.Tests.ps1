# One vocabulary across the cmdlets, as a PowerShell user expects it: the tunnel is -Name (alias
# -Tunnel) everywhere and binds from the pipeline, peers piped into Stop-TaltunTunnel are not
# taken for tunnel names, public keys tab-complete, status objects carry TimeSpans, and a CSV of
# peers is readable. Tunnels run in a namespace this test creates.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'Taltun.TestHelpers.psm1') -Force
    Import-Module (Get-TaltunModulePath) -Force
    $script:ns = New-TestNamespace vocab
    $script:work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "taltun-pester-vocab-$PID")
    $script:hubKey = New-TaltunKey
    $PSDefaultParameterValues['*-Taltun*:ErrorAction'] = 'Stop'

    function Start-Hub([string] $Name = 'ttvoc', [int] $Port = 9610) {
        Start-TaltunTunnel -Name $Name -VirtualIP 10.61.0.1/24 -PrivateKey $hubKey.PrivateKey -LocalAddress "0.0.0.0:$Port" -NetworkNamespace $ns
    }
}

AfterAll {
    Get-TaltunStatus | Where-Object Name -like 'ttvoc*' | Stop-TaltunTunnel
    Remove-TestNamespace $script:ns
    Remove-Item -Recurse -Force $script:work -ErrorAction SilentlyContinue
}

Describe 'The tunnel is -Name everywhere, with the alias -Tunnel' {
    BeforeEach { Start-Hub | Out-Null }
    AfterEach { Get-TaltunStatus | Where-Object Name -like 'ttvoc*' | Stop-TaltunTunnel }

    It 'gives every cmdlet that takes a tunnel a -Name parameter with the alias -Tunnel' {
        foreach ($command in Get-Command -Module Taltun | Where-Object { $_.Parameters.ContainsKey('Name') -or $_.Parameters.ContainsKey('Tunnel') }) {
            $command.Parameters.Keys | Should -Contain 'Name' -Because "$($command.Name) names its tunnel -Name"
            $command.Parameters['Name'].Aliases | Should -Contain 'Tunnel' -Because "$($command.Name) -Tunnel is the alias"
        }
    }

    It 'stops a tunnel given by -Tunnel' {
        Stop-TaltunTunnel -Tunnel ttvoc
        Get-TaltunStatus | Where-Object Name -eq ttvoc | Should -BeNullOrEmpty
    }

    It 'adds a peer with -Name and with -Tunnel' {
        New-TaltunKey | Add-TaltunPeer -Name ttvoc -VirtualIP 10.61.0.2
        New-TaltunKey | Add-TaltunPeer -Tunnel ttvoc -VirtualIP 10.61.0.3
        (Get-TaltunStatus ttvoc -Peer).VirtualIP | Sort-Object | Should -Be @('10.61.0.2', '10.61.0.3')
    }

    It 'adds peers from a CSV with a Tunnel column' {
        Start-Hub ttvoc2 9611 | Out-Null
        $csv = Join-Path $work peers.csv
        @(
            [pscustomobject]@{ Tunnel = 'ttvoc'; PublicKey = (New-TaltunKey).PublicKey; VirtualIP = '10.61.0.4' }
            [pscustomobject]@{ Tunnel = 'ttvoc2'; PublicKey = (New-TaltunKey).PublicKey; VirtualIP = '10.61.0.5' }
        ) | Export-Csv -Path $csv
        Import-Csv $csv | Add-TaltunPeer
        (Get-TaltunStatus ttvoc -Peer).VirtualIP | Should -Be '10.61.0.4'
        (Get-TaltunStatus ttvoc2 -Peer).VirtualIP | Should -Be '10.61.0.5'
    }

    It 'stops the tunnel of the peers piped into Stop-TaltunTunnel, once, and never takes a public key for a name' {
        1..3 | ForEach-Object { New-TaltunKey | Add-TaltunPeer ttvoc -VirtualIP "10.61.0.1$_" }
        Get-TaltunStatus ttvoc -Peer | Stop-TaltunTunnel -ErrorVariable failures
        $failures | Should -BeNullOrEmpty
        Get-TaltunStatus | Where-Object Name -eq ttvoc | Should -BeNullOrEmpty
    }

    It 'removes the peers piped into Remove-TaltunPeer' {
        1..2 | ForEach-Object { New-TaltunKey | Add-TaltunPeer ttvoc -VirtualIP "10.61.0.2$_" }
        Get-TaltunStatus ttvoc -Peer | Remove-TaltunPeer
        Get-TaltunStatus ttvoc -Peer | Should -BeNullOrEmpty
    }
}

Describe 'Tab completion' {
    BeforeAll {
        Start-Hub | Out-Null
        $script:peer = New-TaltunKey
        $peer | Add-TaltunPeer ttvoc -VirtualIP 10.61.0.7
    }
    AfterAll { Stop-TaltunTunnel ttvoc }

    It 'completes the public keys of the tunnel''s peers for <Command>' -ForEach @(
        @{ Command = 'Remove-TaltunPeer -Name ttvoc -PublicKey ' }
        @{ Command = 'Remove-TaltunPeer -Tunnel ttvoc -PublicKey ' }
        @{ Command = 'Remove-TaltunPeer ttvoc ' }
        @{ Command = 'Get-TaltunStatus ttvoc -PublicKey ' }
    ) {
        $completions = (TabExpansion2 -inputScript $Command -cursorColumn $Command.Length).CompletionMatches
        $completions.CompletionText | Should -Contain "'$($peer.PublicKey)'"
        $completions.ToolTip | Should -Match '10\.61\.0\.7'
    }

    It 'completes tunnel names for -Tunnel as for -Name' {
        $command = 'Add-TaltunPeer -Tunnel ttv'
        (TabExpansion2 -inputScript $command -cursorColumn $command.Length).CompletionMatches.CompletionText | Should -Contain 'ttvoc'
    }
}

Describe 'Status objects' {
    BeforeAll {
        Start-Hub | Out-Null
        New-TaltunKey | Add-TaltunPeer ttvoc -VirtualIP 10.61.0.8 -AllowedIPs 192.168.61.0/24
    }
    AfterAll { Stop-TaltunTunnel ttvoc }

    It 'carry Uptime and HandshakeAge as TimeSpans' {
        Start-Sleep -Milliseconds 300
        $tunnel = Get-TaltunStatus ttvoc
        $tunnel.Uptime | Should -BeOfType [timespan]
        $tunnel.Uptime | Should -BeGreaterThan ([timespan]::FromMilliseconds(250))
        $peer = Get-TaltunStatus ttvoc -Peer
        (Get-TaltunStatus ttvoc -Peer).PSObject.Properties['HandshakeAge'].TypeNameOfValue | Should -Be 'System.Nullable`1[[System.TimeSpan, System.Private.CoreLib, Version=10.0.0.0, Culture=neutral, PublicKeyToken=7cec85d7bea7798e]]'
        $peer.HandshakeAge | Should -BeNullOrEmpty -Because 'the peer never completed a handshake'
        Get-TaltunStatus ttvoc -Peer | Sort-Object HandshakeAge | Should -Not -BeNullOrEmpty
    }

    It 'export to CSV with readable allowed IPs, addresses and routes' {
        $csv = Join-Path $work status.csv
        Get-TaltunStatus ttvoc -Peer | Export-Csv -Path $csv
        $row = Import-Csv $csv
        $row.AllowedIPs | Should -Be '10.61.0.8/32, 192.168.61.0/24'
        $row.Drops | Should -Not -Match 'System\.'
        Get-TaltunStatus ttvoc | Export-Csv -Path $csv
        (Import-Csv $csv).VirtualIP | Should -Be '10.61.0.1/24'
    }

    It 'still behave as lists in PowerShell' {
        $peer = Get-TaltunStatus ttvoc -Peer
        $peer.AllowedIPs.Count | Should -Be 2
        $peer.AllowedIPs[1] | Should -Be '192.168.61.0/24'
        $peer.AllowedIPs -contains '10.61.0.8/32' | Should -BeTrue
        ($peer | ConvertTo-Json | ConvertFrom-Json).AllowedIPs | Should -Be @('10.61.0.8/32', '192.168.61.0/24')
    }
}
