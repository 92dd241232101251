#!/usr/bin/env bash
# Taltun's demo on this machine: builds the module, then runs scripts/Demo.ps1 in pwsh.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
scripts/install-prerequisites.sh
scripts/build.sh
exec dotnet pwsh -NoLogo -NoProfile -NonInteractive -File scripts/Demo.ps1
