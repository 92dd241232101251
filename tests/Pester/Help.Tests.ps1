# The module's help as a PowerShell user reads it: Get-Help for every cmdlet is read back and
# checked for what PowerShell's own cmdlets show (-WhatIf and -Confirm in SYNTAX, plain type
# names, wildcard flags that tell the truth), and about_Taltun ships with the module.

BeforeDiscovery {
    # The cmdlets are listed while Pester discovers the tests: one block per cmdlet.
    Import-Module (Join-Path $PSScriptRoot 'Taltun.TestHelpers.psm1') -Force
    Import-Module (Get-TaltunModulePath) -Force
    $script:cmdlets = @(Get-Command -Module Taltun -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'Taltun.TestHelpers.psm1') -Force
    Import-Module (Get-TaltunModulePath) -Force
}

Describe 'Help for <Name>' -ForEach $cmdlets {
    BeforeAll {
        $script:command = Get-Command $Name
        $script:help = Get-Help $Name -Full
        $script:text = Get-Help $Name -Full | Out-String -Width 4096
        $script:shouldProcess = $command.Parameters.ContainsKey('WhatIf')
    }

    It 'shows -WhatIf and -Confirm in SYNTAX when the cmdlet supports them' {
        $syntax = $help.syntax | Out-String -Width 4096
        if ($shouldProcess) {
            $syntax | Should -Match '\[-WhatIf\]'
            $syntax | Should -Match '\[-Confirm\]'
            (Get-Help $Name -Parameter WhatIf).description.Text | Should -Match 'would happen'
            (Get-Help $Name -Parameter Confirm).description.Text | Should -Match 'confirmation'
        }
        else {
            $syntax | Should -Not -Match 'WhatIf'
        }
    }

    It 'names types as PowerShell writes them' {
        $text | Should -Not -Match 'Nullable'
        $text | Should -Not -Match '`1'
        foreach ($parameter in $help.parameters.parameter | Where-Object { $command.Parameters[$_.name].ParameterType -in [int], [Nullable[int]] }) {
            $parameter.type.name | Should -Be 'int' -Because "-$($parameter.name) takes a number"
        }
    }

    It 'has no doubled apostrophes' {
        $text | Should -Not -Match "[A-Za-z]''[A-Za-z]"
    }

    It 'flags wildcards exactly where they work' {
        foreach ($parameter in $help.parameters.parameter) {
            $supports = [bool]($command.Parameters[$parameter.name].Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
            $parameter.globbing | Should -Be $supports.ToString().ToLowerInvariant() -Because "-$($parameter.name) of $Name"
        }
    }

    It 'describes every parameter, the common risk ones included' {
        foreach ($parameter in $help.parameters.parameter) {
            ($parameter.description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$($parameter.name) needs a description"
        }
        if ($shouldProcess) { $help.parameters.parameter.name | Should -Contain 'WhatIf' }
    }
}

Describe 'about_Taltun' {
    It 'ships with the module and covers <Topic>' -ForEach @(
        @{ Topic = 'concepts'; Pattern = 'CONCEPTS' }
        @{ Topic = 'the hub'; Pattern = 'THE HUB' }
        @{ Topic = 'files'; Pattern = 'FILES' }
        @{ Topic = 'the security of keys'; Pattern = 'SECURITY OF KEYS' }
        @{ Topic = 'troubleshooting'; Pattern = 'TROUBLESHOOTING' }
    ) {
        Get-Help about_Taltun | Out-String | Should -Match $Pattern
    }

    It 'is in the module folder' {
        Join-Path (Split-Path (Get-TaltunModulePath)) 'en-US/about_Taltun.help.txt' | Should -Exist
    }
}
