#!/usr/bin/env bash
# Packs the module into out/packages/Taltun.<version>.nupkg, the package PowerShell's
# PSResourceGet publishes (Publish-PSResource -NupkgPath) and installs (Install-PSResource).
# Builds out/Taltun first, unless given --no-build (it must then exist already).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" != "--no-build" ]]; then
    scripts/build.sh
fi
if [[ ! -f out/Taltun/Taltun.psd1 ]]; then
    echo "out/Taltun has no built module: run scripts/build.sh, or scripts/pack.sh without --no-build." >&2
    exit 1
fi

rm -rf out/packages
mkdir -p out/packages
dotnet pwsh -NoLogo -NoProfile -NonInteractive -Command '
    $ErrorActionPreference = "Stop"
    Import-Module Microsoft.PowerShell.PSResourceGet
    Compress-PSResource -Path out/Taltun -DestinationPath out/packages
    (Get-ChildItem out/packages -Filter *.nupkg).FullName'
