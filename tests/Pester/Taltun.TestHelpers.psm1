# Shared by the Pester tests: where the built module is.

function Get-TaltunModulePath {
    Join-Path $PSScriptRoot '../../out/Taltun/Taltun.psd1' | Resolve-Path | Select-Object -ExpandProperty Path
}

Export-ModuleMember -Function Get-TaltunModulePath
