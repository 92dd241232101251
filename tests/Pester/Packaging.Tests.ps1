# The module as a user gets it: scripts/pack.sh makes the .nupkg, PSResourceGet publishes it to a
# local file repository and installs it into an empty module path, and a fresh pwsh imports Taltun
# by name and uses it. Everything lives in a directory this test creates; the fresh pwsh sees no
# other module path of this machine's users.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'Taltun.TestHelpers.psm1') -Force
    $script:modulePath = Get-TaltunModulePath
    $script:root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $script:work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "taltun-pester-pack-$PID")
    Invoke-Native (Join-Path $root 'scripts/pack.sh') '--no-build' | Out-Null
    $script:package = Get-ChildItem (Join-Path $root 'out/packages') -Filter 'Taltun.*.nupkg' | Select-Object -First 1

    function Invoke-FreshPwsh([string] $Script) {
        # A pwsh whose user directories (modules, PSResourceGet's repositories) are empty ones of
        # this test, with no PSModulePath inherited: only what Install-PSResource puts there is found.
        $userDirectories = New-Item -ItemType Directory -Force -Path (Join-Path $work "home")
        $pwsh = [Environment]::ProcessPath
        $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
        $arguments = @(if ((Split-Path -Leaf $pwsh) -eq 'dotnet') { "$PSHOME/pwsh.dll" }) + @('-NoProfile', '-NonInteractive', '-Command', $Script)
        foreach ($argument in $arguments) { $start.ArgumentList.Add($argument) }
        # PSResourceGet installs for the current user under $HOME/.local/share/powershell/Modules,
        # where pwsh looks too, and keeps its repositories under $HOME/.local/share (which .NET
        # ignores unless it exists): a home of our own holds both.
        $start.Environment['HOME'] = $userDirectories.FullName
        New-Item -ItemType Directory -Force -Path (Join-Path $userDirectories '.local/share') | Out-Null
        foreach ($kind in 'DATA', 'CONFIG', 'CACHE') { $start.Environment.Remove("XDG_$($kind)_HOME") | Out-Null }
        $start.WorkingDirectory = $userDirectories.FullName
        $start.Environment.Remove('PSModulePath') | Out-Null
        $start.Environment['NO_COLOR'] = '1'
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($start)
        $errors = $process.StandardError.ReadToEndAsync()
        $output = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $output; Errors = $errors.Result }
    }
}

AfterAll {
    Remove-Item -Recurse -Force $script:work -ErrorAction SilentlyContinue
}

Describe 'The packaged module' {
    It 'is one .nupkg with the manifest, the assemblies, libsodium and the help' {
        $package | Should -Not -BeNullOrEmpty
        $package.Name | Should -Be "Taltun.$((Import-PowerShellDataFile $modulePath).ModuleVersion).nupkg"
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($package.FullName)
        try { $entries = $zip.Entries.FullName } finally { $zip.Dispose() }
        foreach ($file in 'Taltun.psd1', 'Taltun.PowerShell.dll', 'Taltun.Engine.dll', 'libsodium.so', 'Taltun.format.ps1xml', 'en-US/Taltun.PowerShell.dll-Help.xml', 'en-US/about_Taltun.help.txt') {
            $entries | Should -Contain $file
        }
        $entries | Should -Not -Contain 'System.Drawing.Common.dll'
    }

    It 'publishes to a local repository, installs into an empty module path, and imports by name' {
        $repository = New-Item -ItemType Directory -Path (Join-Path $work 'repository')
        $result = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
if (Get-Module -ListAvailable Taltun) { throw 'Taltun is already installed where this pwsh looks.' }
Register-PSResourceRepository -Name TaltunLocal -Uri '$repository' -Trusted
Publish-PSResource -NupkgPath '$($package.FullName)' -Repository TaltunLocal
Install-PSResource -Name Taltun -Repository TaltunLocal -TrustRepository -Scope CurrentUser
Import-Module Taltun
`$module = Get-Module Taltun
"base=`$(`$module.ModuleBase)"
"version=`$(`$module.Version)"
"key=`$((New-TaltunKey).PublicKey)"
"cmdlets=`$((Get-Command -Module Taltun).Count)"
"about=`$((Get-Help about_Taltun | Out-String) -match 'SECURITY OF KEYS')"
"@
        $result.Errors | Should -BeNullOrEmpty
        $result.ExitCode | Should -Be 0
        Get-ChildItem $repository -Filter 'Taltun.*.nupkg' | Should -Not -BeNullOrEmpty
        $result.Output | Should -Match "(?m)^base=$([regex]::Escape((Join-Path $work 'home/.local/share/powershell/Modules/Taltun/')))"
        $result.Output | Should -Match "(?m)^version=$([regex]::Escape((Import-PowerShellDataFile $modulePath).ModuleVersion))"
        $result.Output | Should -Match '(?m)^key=[A-Za-z0-9+/]{43}=$'
        $result.Output | Should -Match "(?m)^cmdlets=$((Import-PowerShellDataFile $modulePath).CmdletsToExport.Count)$"
        $result.Output | Should -Match '(?m)^about=True$'
    }

    It 'says clearly at import that its libsodium does not serve this processor' {
        $copy = Join-Path $work 'Taltun'
        Copy-Item -Recurse (Split-Path $modulePath) $copy
        # An ARM64 ELF header in place of the library: what a module built for linux-arm64 ships.
        $library = Join-Path $copy 'libsodium.so'
        $bytes = [IO.File]::ReadAllBytes($library)
        $bytes[18] = 0xB7
        $bytes[19] = 0x00
        [IO.File]::WriteAllBytes($library, $bytes)
        $result = Invoke-FreshPwsh "Import-Module '$copy'"
        $result.ExitCode | Should -Not -Be 0
        $result.Errors | Should -Match 'ships libsodium\.so for Linux on Arm64 processors, and this pwsh runs on X64'
        $result.Errors | Should -Match 'linux-x64'
    }
}

Describe 'The manifest' {
    It 'names the project, says what changed, and is valid' {
        $manifest = Import-PowerShellDataFile $modulePath
        $manifest.PrivateData.PSData.ProjectUri | Should -Match '^https://'
        $manifest.PrivateData.PSData.ReleaseNotes | Should -Match 'wg-quick'
        Test-ModuleManifest $modulePath | Select-Object -ExpandProperty Name | Should -Be 'Taltun'
    }
}
