BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'Taltun.TestHelpers.psm1') -Force
    $modulePath = Get-TaltunModulePath
    Import-Module $modulePath -Force
    $manifest = Import-PowerShellDataFile $modulePath
}

Describe 'The Taltun module' {
    It 'exports exactly the cmdlets its manifest lists' {
        $exported = Get-Command -Module Taltun | Select-Object -ExpandProperty Name | Sort-Object
        $exported | Should -Be ($manifest.CmdletsToExport | Sort-Object)
        (Get-Command -Module Taltun).CommandType | Sort-Object -Unique | Should -Be 'Cmdlet'
    }

    It 'lists cmdlets explicitly and exports no functions or aliases' {
        $manifest.CmdletsToExport | Should -Not -Contain '*'
        $manifest.FunctionsToExport.Count | Should -Be 0
        $manifest.AliasesToExport.Count | Should -Be 0
        $manifest.PowerShellVersion | Should -Be '7.6'
        $manifest.CompatiblePSEditions | Should -Be 'Core'
    }

    It 'gives every exported cmdlet help with a synopsis, an example and described parameters' {
        foreach ($name in $manifest.CmdletsToExport) {
            $help = Get-Help $name -Full
            # Without MAML, Get-Help falls back to the bare syntax and has no description.
            ($help.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "$name needs MAML help"
            $help.Synopsis | Should -Not -Match ([regex]::Escape($name)) -Because "$name needs a written synopsis"
            @($help.Examples.Example).Count | Should -BeGreaterThan 0 -Because "$name needs examples"
            foreach ($parameter in $help.Parameters.Parameter) {
                ($parameter.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$($parameter.Name) of $name needs a description"
            }
        }
    }

    It 'loads libsodium inside pwsh (NSec works in the module)' {
        # New-TaltunKey derives public keys through NSec, which P/Invokes libsodium.
        (New-TaltunKey).PublicKey | Should -Match '^[A-Za-z0-9+/]{43}=$'
    }
}
