#!/usr/bin/env bash
# Runs a command as taltun@.service would run it, as far as a machine without systemd as PID 1
# allows: called as root (in a network namespace of the caller's), it enters a mount namespace
# of its own, builds there the file system the unit describes, then drops to an unprivileged user
# holding only CAP_NET_ADMIN and execs the command, which keeps this process's id.
#
#   ip netns exec NS Enter-UnitSandbox.sh SCRATCH UID GID PWSH_HOME MODULE CONFIG_DIR -- ENV... -- COMMAND...
#
# SCRATCH      an empty directory for the overlays' upper layers (outside /tmp, /root and /home)
# UID GID      the service's user (the unit's User= and Group=)
# PWSH_HOME    a PowerShell installation; it appears as /opt/microsoft/powershell/7 with
#              /usr/bin/pwsh starting it (through dotnet, as the local tool runs), where
#              Microsoft's packages put them
# MODULE       the built module, installed as /usr/local/share/powershell/Modules/Taltun
# CONFIG_DIR   its files appear in /etc/taltun, owned by the service's user
# ENV...       NAME=VALUE pairs: the whole environment the command gets
#
# What the unit asks for and how it is reproduced:
#   ProtectSystem=strict   /, /etc, /usr/bin and /usr/local/share are remounted read-only
#   ProtectHome=yes        empty tmpfs over /root and /home (pwsh itself lives under /root here)
#   PrivateTmp=yes         fresh tmpfs on /tmp and /var/tmp
#   RuntimeDirectory=      /run is a fresh tmpfs holding wireguard/ and taltun/ (0755, the user's)
#   (udev's default rule)  /dev/net/tun is mode 0666, as systemd's 50-udev-default.rules makes it
#                          (this machine's own is root's alone)
#   User=, Group=, AmbientCapabilities=CAP_NET_ADMIN, CapabilityBoundingSet=CAP_NET_ADMIN,
#   NoNewPrivileges=yes    setpriv
set -euo pipefail

# Everything below changes mounts: only ever in a mount namespace of its own, entered here
# (unshare execs, so the process keeps its id).
if [[ -z ${TALTUN_SANDBOX_MOUNTS:-} ]]; then
    TALTUN_SANDBOX_MOUNTS=private exec unshare --mount --propagation private "$0" "$@"
fi

scratch=$1 uid=$2 gid=$3 pwsh_home=$4 module=$5 config=$6
shift 6
[[ $1 == -- ]] || { echo "usage: see the comment at the top" >&2; exit 2; }
shift
environment=()
while [[ $1 != -- ]]; do environment+=("$1"); shift; done
shift


overlay() { # overlay DIRECTORY NAME: a writable layer over DIRECTORY, kept in SCRATCH/NAME
    mkdir -p "$scratch/$2/upper" "$scratch/$2/work"
    mount -t overlay overlay -o "lowerdir=$1,upperdir=$scratch/$2/upper,workdir=$scratch/$2/work" "$1"
}

mount -t tmpfs -o mode=0755 tmpfs /opt
mkdir -p /opt/microsoft/powershell/7
mount --bind "$pwsh_home" /opt/microsoft/powershell/7
overlay /usr/bin usr-bin
dotnet=$(readlink -f "$(command -v dotnet)")
if [[ $dotnet == /root/* || $dotnet == /home/* ]]; then
    echo "dotnet ($dotnet) would be hidden with /root and /home: install it elsewhere (/usr/share/dotnet)." >&2
    exit 2
fi
printf '#!/bin/sh\nexec %s /opt/microsoft/powershell/7/pwsh.dll "$@"\n' "$dotnet" >/usr/bin/pwsh
chmod 0755 /usr/bin/pwsh

overlay /usr/local/share usr-local-share
mkdir -p /usr/local/share/powershell/Modules
cp -r "$module" /usr/local/share/powershell/Modules/Taltun
chmod -R a+rX /usr/local/share/powershell

overlay /etc etc
install -d -m 0755 /etc/taltun
cp -r "$config"/. /etc/taltun/
chown -R "$uid:$gid" /etc/taltun

for directory in / /etc /usr/bin /usr/local/share; do
    mount -o remount,bind,ro "$directory"
done
for directory in /root /home; do
    mount -t tmpfs -o mode=0000 tmpfs "$directory"
done
for directory in /tmp /var/tmp; do
    mount -t tmpfs -o mode=1777 tmpfs "$directory"
done
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=0755 tmpfs /dev/net
mknod -m 0666 /dev/net/tun c 10 200
install -d -m 0755 -o "$uid" -g "$gid" /run/wireguard /run/taltun

exec setpriv --reuid="$uid" --regid="$gid" --clear-groups \
    --inh-caps=-all,+net_admin --ambient-caps=-all,+net_admin --bounding-set=-all,+net_admin \
    --no-new-privs \
    env -i "${environment[@]}" "$@"
