#!/usr/bin/env bash
# Installs what Taltun's tests and demo need on a fresh Debian 12 machine with the .NET 10 SDK:
# the network tools from Debian (only those missing; python3 serves a test's TCP endpoints, kill
# sends SIGTERM to a foreground tunnel, zbarimg reads back the QR codes of client configurations,
# systemd-analyze and systemd-sysusers check the systemd unit), pwsh 7.6.9 as a local dotnet tool,
# Pester.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A package_of=(
    [ip]=iproute2 [ping]=iputils-ping [iperf3]=iperf3 [wireguard-go]=wireguard-go
    [wg]=wireguard-tools [nft]=nftables [python3]=python3-minimal [/bin/kill]=procps
    [zbarimg]=zbar-tools [systemd-analyze]=systemd
)
missing=()
for command in "${!package_of[@]}"; do
    command -v "$command" >/dev/null 2>&1 || missing+=("${package_of[$command]}")
done
if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "Taltun's tests need these Debian packages: ${missing[*]}. Run as root or install them." >&2
        exit 1
    fi
    echo "Installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # --no-install-recommends: wireguard-go recommends a kernel image, which a test machine never needs.
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dotnet tool restore >/dev/null
dotnet restore tests/Pester/PesterRestore.csproj -nologo -v quiet
