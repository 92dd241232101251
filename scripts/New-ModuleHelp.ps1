<#
.SYNOPSIS
Writes the module's MAML help (en-US/Taltun.PowerShell.dll-Help.xml) from the help sources in
module/help and the cmdlets' own metadata.

.DESCRIPTION
Binary cmdlets get Get-Help text only from MAML. PlatyPS is not available to this build, so the
prose lives in one data file per cmdlet beside the code, and everything the cmdlet itself knows
(parameter sets, types, mandatory, positions, pipeline input, wildcards) is read from the built
module. -WhatIf and -Confirm are documented as PowerShell's own cmdlets document them, and types
are written as PowerShell writes them (int, string[], not Nullable`1). A cmdlet without a help
source, or a parameter without a description, fails the build.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $HelpSourcePath
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# -WhatIf and -Confirm are documented with every cmdlet that takes them (PowerShell's own help
# shows them in SYNTAX and answers Get-Help -Parameter WhatIf); the rest are <CommonParameters>.
$commonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters + 'UseTransaction'
$riskParameters = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}

function Escape([string] $text) { [System.Security.SecurityElement]::Escape($text) }

function Paragraphs([string] $text) {
    ($text -split "(\r?\n){2,}" | Where-Object { $_.Trim() } |
        ForEach-Object { "<maml:para>$(Escape $_.Trim())</maml:para>" }) -join ''
}

function TypeName([type] $type) {
    # As PowerShell writes types: int, string[], switch; a type of this module by its own name.
    $underlying = [Nullable]::GetUnderlyingType($type)
    if ($underlying) { $type = $underlying }
    if ($type -eq [System.Management.Automation.SwitchParameter]) { return 'SwitchParameter' }
    $name = [Microsoft.PowerShell.ToStringCodeMethods]::Type($type)
    if ($name.Contains('.')) { $type.Name } else { $name }
}

function PipelineInput($parameter) {
    $kinds = foreach ($set in $parameter.ParameterSets.Values) {
        if ($set.ValueFromPipeline) { 'ByValue' }
        if ($set.ValueFromPipelineByPropertyName) { 'ByPropertyName' }
    }
    $kinds = @($kinds | Sort-Object -Unique)
    if ($kinds.Count -eq 0) { 'False' } else { "True ($($kinds -join ', '))" }
}

function ParameterXml($parameter, $setInfo, [string] $description) {
    $required = if ($setInfo) { $setInfo.IsMandatory.ToString().ToLowerInvariant() } else { 'false' }
    $position = if ($setInfo -and $setInfo.Position -ge 0) { $setInfo.Position } else { 'named' }
    $typeName = TypeName $parameter.ParameterType
    $value = if ($parameter.SwitchParameter) { '' } else {
        "<command:parameterValue required=`"true`" variableLength=`"false`">$(Escape $typeName)</command:parameterValue>"
    }
    $aliases = if ($parameter.Aliases.Count) { $parameter.Aliases -join ', ' } else { 'none' }
    $globbing = [bool]($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
    @"
<command:parameter required="$required" variableLength="true" globbing="$($globbing.ToString().ToLowerInvariant())" pipelineInput="$(PipelineInput $parameter)" position="$position" aliases="$aliases">
<maml:name>$($parameter.Name)</maml:name>
<maml:description>$(Paragraphs $description)</maml:description>
$value
<dev:type><maml:name>$(Escape $typeName)</maml:name></dev:type>
</command:parameter>
"@
}

Import-Module $ModulePath -Force
$module = Get-Module Taltun
$commands = @(Get-Command -Module Taltun -CommandType Cmdlet | Sort-Object Name)

$items = foreach ($command in $commands) {
    $sourceFile = Join-Path $HelpSourcePath "$($command.Name).psd1"
    if (-not (Test-Path $sourceFile)) { throw "No help source for $($command.Name): create $sourceFile." }
    $help = Import-PowerShellDataFile $sourceFile
    foreach ($risk in $riskParameters.Keys) {
        if ($command.Parameters.ContainsKey($risk) -and -not $help.Parameters.ContainsKey($risk)) { $help.Parameters[$risk] = $riskParameters[$risk] }
    }

    $parameters = @($command.Parameters.Values | Where-Object { $_.Name -notin $commonParameters } | Sort-Object Name)
    foreach ($parameter in $parameters) {
        if (-not $help.Parameters.ContainsKey($parameter.Name)) {
            throw "$sourceFile has no description for -$($parameter.Name): add it under Parameters."
        }
    }

    $syntax = foreach ($set in $command.ParameterSets) {
        $setParameters = $set.Parameters | Where-Object { $_.Name -notin $commonParameters }
        $xml = foreach ($p in $setParameters) {
            ParameterXml $command.Parameters[$p.Name] $p $help.Parameters[$p.Name]
        }
        "<command:syntaxItem><maml:name>$($command.Name)</maml:name>$($xml -join '')</command:syntaxItem>"
    }

    $parameterXml = foreach ($parameter in $parameters) {
        $firstSet = $parameter.ParameterSets.Values | Select-Object -First 1
        ParameterXml $parameter $firstSet $help.Parameters[$parameter.Name]
    }

    $inputs = foreach ($entry in $help.Inputs.GetEnumerator()) {
        "<command:inputType><dev:type><maml:name>$(Escape $entry.Key)</maml:name></dev:type><maml:description>$(Paragraphs $entry.Value)</maml:description></command:inputType>"
    }
    $outputs = foreach ($entry in $help.Outputs.GetEnumerator()) {
        "<command:returnValue><dev:type><maml:name>$(Escape $entry.Key)</maml:name></dev:type><maml:description>$(Paragraphs $entry.Value)</maml:description></command:returnValue>"
    }
    $number = 0
    $examples = foreach ($example in $help.Examples) {
        $number++
        "<command:example><maml:title>-------------------------- Example $($number): $(Escape $example.Title) --------------------------</maml:title><dev:code>$(Escape $example.Code)</dev:code><dev:remarks>$(Paragraphs $example.Remarks)</dev:remarks></command:example>"
    }
    $links = foreach ($link in $help.Links) {
        "<maml:navigationLink><maml:linkText>$(Escape $link)</maml:linkText><maml:uri></maml:uri></maml:navigationLink>"
    }

    @"
<command:command xmlns:maml="http://schemas.microsoft.com/maml/2004/10" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10" xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10">
<command:details>
<command:name>$($command.Name)</command:name>
<command:verb>$($command.Verb)</command:verb>
<command:noun>$($command.Noun)</command:noun>
<maml:description>$(Paragraphs $help.Synopsis)</maml:description>
</command:details>
<maml:description>$(Paragraphs $help.Description)</maml:description>
<command:syntax>$($syntax -join '')</command:syntax>
<command:parameters>$($parameterXml -join '')</command:parameters>
<command:inputTypes>$($inputs -join '')</command:inputTypes>
<command:returnValues>$($outputs -join '')</command:returnValues>
<command:examples>$($examples -join '')</command:examples>
<command:relatedLinks>$($links -join '')</command:relatedLinks>
</command:command>
"@
}

$target = Join-Path $module.ModuleBase 'en-US'
New-Item -ItemType Directory -Force -Path $target | Out-Null
$document = "<?xml version=`"1.0`" encoding=`"utf-8`"?>`n<helpItems schema=`"maml`" xmlns=`"http://msh`">`n$($items -join "`n")`n</helpItems>`n"
# Parse before writing: malformed MAML makes Get-Help fall back to bare syntax without a word.
[xml] $document | Out-Null
Set-Content -Path (Join-Path $target 'Taltun.PowerShell.dll-Help.xml') -Value $document -Encoding utf8NoBOM
Write-Host "Help written for $($commands.Count) cmdlet(s)."
