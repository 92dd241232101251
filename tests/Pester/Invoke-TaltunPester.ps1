<#
.SYNOPSIS
Runs every Pester test against the built module in out/Taltun, with the pinned Pester restored
from NuGet, and writes "passed failed" to -CountsPath for the test command to add up.
#>
param(
    [Parameter(Mandatory)] [string] $PesterModulePath,
    [Parameter(Mandatory)] [string] $CountsPath,
    [string] $ResultsPath
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterModulePath -Force

$configuration = New-PesterConfiguration
$configuration.Run.Path = $PSScriptRoot
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
if ($ResultsPath) {
    $configuration.TestResult.Enabled = $true
    $configuration.TestResult.OutputFormat = 'JUnitXml'
    $configuration.TestResult.OutputPath = $ResultsPath
}

$result = Invoke-Pester -Configuration $configuration
# A container that fails to load (syntax error, failed BeforeAll) has no test results of its
# own but must still count as a failure.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
Set-Content -Path $CountsPath -Value "$($result.PassedCount) $failed"
