#!/usr/bin/env bash
# Builds the importable module into out/Taltun: assemblies, libsodium, manifest, format views, help
# (each cmdlet's, generated, and the about_Taltun topic).
set -euo pipefail
cd "$(dirname "$0")/.."

configuration="${CONFIGURATION:-Release}"
out=out/Taltun

dotnet tool restore >/dev/null
rm -rf "$out"
dotnet publish src/Taltun.PowerShell -c "$configuration" -o "$out" -nologo -v quiet
rm -f "$out"/*.pdb "$out"/*.deps.json "$out"/Taltun.*.xml
cp module/Taltun.psd1 module/Taltun.format.ps1xml "$out"/
dotnet pwsh -NoLogo -NoProfile -NonInteractive -File scripts/New-ModuleHelp.ps1 -ModulePath "$PWD/$out/Taltun.psd1" -HelpSourcePath module/help
cp module/help/about_Taltun.help.txt "$out"/en-US/
