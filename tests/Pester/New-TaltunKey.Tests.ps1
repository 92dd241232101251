BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'Taltun.TestHelpers.psm1') -Force
    Import-Module (Get-TaltunModulePath) -Force
    $invalidKey = 'InvalidKey,Taltun.PowerShell.Commands.NewTaltunKeyCommand'
}

Describe 'New-TaltunKey' {
    It 'returns a typed key pair in base64' {
        $pair = New-TaltunKey
        $pair | Should -BeOfType ([Taltun.PowerShell.TaltunKeyPair])
        $pair.PrivateKey | Should -Match '^[A-Za-z0-9+/]{43}=$'
        $pair.PublicKey | Should -Match '^[A-Za-z0-9+/]{43}=$'
    }

    It 'makes -Count distinct pairs' {
        $pairs = New-TaltunKey -Count 5
        $pairs.Count | Should -Be 5
        ($pairs.PrivateKey | Sort-Object -Unique).Count | Should -Be 5
        ($pairs.PublicKey | Sort-Object -Unique).Count | Should -Be 5
    }

    It 'derives the same public key as wg pubkey for random keys' {
        foreach ($i in 1..5) {
            $private = (& wg genkey).Trim()
            $expected = ($private | & wg pubkey).Trim()
            (New-TaltunKey -PrivateKey $private).PublicKey | Should -Be $expected
        }
    }

    It 'makes private keys that wg pubkey agrees with' {
        foreach ($pair in New-TaltunKey -Count 5) {
            ($pair.PrivateKey | & wg pubkey).Trim() | Should -Be $pair.PublicKey
        }
    }

    It 'accepts hex and prints hex with -Encoding Hex' {
        $pair = New-TaltunKey -Encoding Hex
        $pair.PrivateKey | Should -Match '^[0-9a-f]{64}$'
        $fromHex = New-TaltunKey -PrivateKey $pair.PrivateKey
        $fromHex.PublicKey | Should -Be ([Convert]::ToBase64String([Convert]::FromHexString($pair.PublicKey)))
    }

    It 'takes private keys from the pipeline, by value and by property name' {
        $pairs = New-TaltunKey -Count 3
        ($pairs.PrivateKey | New-TaltunKey).PublicKey | Should -Be $pairs.PublicKey
        ($pairs | New-TaltunKey).PublicKey | Should -Be $pairs.PublicKey
    }

    It 'makes preshared keys like wg genpsk' {
        $keys = New-TaltunKey -Preshared -Count 3
        $keys | Should -BeOfType ([Taltun.PowerShell.TaltunPresharedKey])
        ($keys.PresharedKey | Sort-Object -Unique).Count | Should -Be 3
        $keys[0].PresharedKey | Should -Match '^[A-Za-z0-9+/]{43}=$'
        "$($keys[0])" | Should -Not -Be $keys[0].PresharedKey
    }

    It 'rejects a malformed key with ErrorId InvalidKey, naming the parameter and not the key' -TestCases @(
        @{ Text = 'abc' }
        @{ Text = 'not-a-key-not-a-key-not-a-key-not-a-key-not=' }
        @{ Text = ('zz' * 32) }
    ) {
        param($Text)
        { New-TaltunKey -PrivateKey $Text } | Should -Throw -ErrorId $invalidKey
        try { New-TaltunKey -PrivateKey $Text } catch { $err = $_ }
        $err.Exception.Message | Should -BeLike '*-PrivateKey*'
        $err.Exception.Message | Should -BeLike '*44 base64*64 hex*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        if ($Text.Length -gt 3) { $err.Exception.Message | Should -Not -BeLike "*$Text*" }
    }

    It 'rejects -Count outside 1..100000' {
        { New-TaltunKey -Count 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Taltun.PowerShell.Commands.NewTaltunKeyCommand'
    }
}
