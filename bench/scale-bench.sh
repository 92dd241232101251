#!/usr/bin/env bash
# Hub scale: what adding, listing, saving, stopping and restarting cost as the peer count grows,
# Taltun through its cmdlets (bench/Scale.ps1, one pwsh process per count) beside Debian's
# wireguard-go driven by wg, one table. Each side runs in a namespace of its own that this script
# creates and deletes (also on failure); nothing is sent anywhere.
#
#   sudo bench/scale-bench.sh [peer counts, default "100 1000 10000"]
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077

COUNTS="${1:-100 1000 10000}"
NS="sbench-$$"
WORK="$(mktemp -d)"
WG="sbwg$$"

cleanup() {
    pkill -f "wireguard-go -f $WG" 2>/dev/null || true
    ip netns delete "$NS" 2>/dev/null || true
    rm -f "/var/run/wireguard/$WG.sock"
    rm -rf "$WORK"
}
trap cleanup EXIT

scripts/install-prerequisites.sh >/dev/null
scripts/build.sh >/dev/null
dotnet publish bench/Taltun.BenchHost -c Release -o "$WORK/host" >/dev/null
ip netns add "$NS"
ip -n "$NS" link set lo up

# wireguard-go: N peers in one `wg setconf`, one more with `wg set`, `wg show dump`, RSS per peer.
wireguard_go() { # count → key=value line
    local n=$1 conf="$WORK/wg-$1.conf"
    ip netns exec "$NS" env WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 wireguard-go -f "$WG" >/dev/null 2>&1 &
    for _ in $(seq 50); do [ -S "/var/run/wireguard/$WG.sock" ] && break; sleep 0.1; done
    local pid; pid=$(pgrep -f "wireguard-go -f $WG" | head -n1)
    python3 - "$n" "$(wg genkey)" >"$conf" <<'PY'
import base64, os, sys
n, key = int(sys.argv[1]), sys.argv[2]
print(f"[Interface]\nPrivateKey = {key}\nListenPort = 51999")
for i in range(n):
    address = 0x0A400000 + 2 + i
    pub = base64.b64encode(os.urandom(32)).decode()
    print(f"[Peer]\nPublicKey = {pub}\nAllowedIPs = {address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}/32")
PY
    local rss0; rss0=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
    local t0 t1 t2 t3
    t0=$(date +%s.%N); ip netns exec "$NS" wg setconf "$WG" "$conf"
    t1=$(date +%s.%N); ip netns exec "$NS" wg set "$WG" peer "$(wg genkey | wg pubkey)" allowed-ips 10.200.0.1/32
    t2=$(date +%s.%N); ip netns exec "$NS" wg show "$WG" dump >/dev/null
    t3=$(date +%s.%N)
    local rss1; rss1=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    awk -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v r0="$rss0" -v r1="$rss1" \
        'BEGIN { printf "setconf_s=%.2f set_one_ms=%.1f dump_s=%.2f rss_per_peer_kb=%.2f\n", b - a, (c - b) * 1000, d - c, (r1 - r0) / n }'
}

for n in $COUNTS; do
    taltun=$(ip netns exec "$NS" dotnet pwsh -NoLogo -NoProfile -NonInteractive -File bench/Scale.ps1 \
        -ModulePath "$PWD/out/Taltun/Taltun.psd1" -Count "$n" -Directory "$WORK" | tail -n1)
    # The engine's own cost of one more peer at this size (what the cmdlet calls, without PowerShell's call).
    engine=$(ip netns exec "$NS" "$WORK/host/Taltun.BenchHost" --config "$WORK/scale-$n.toml" --add-peers 100 --add-first 10.100.0.2 | tail -n1)
    echo "taltun $taltun ${engine#engine }" >>"$WORK/results"
    echo "wireguard-go peers=$n $(wireguard_go "$n")" >>"$WORK/results"
done

echo "## Hub scale — $(date -u +%Y-%m-%d), $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
echo
echo "Command: \`sudo bench/scale-bench.sh \"$COUNTS\"\`"
echo
python3 - "$WORK/results" <<'PY'
import sys
rows = []
for line in open(sys.argv[1]):
    kind, *pairs = line.split()
    rows.append((kind, dict(p.split("=") for p in pairs)))
print("| peers | Taltun: add all (one pipeline) s | per peer ms | one more Add-TaltunPeer ms | one Remove-TaltunPeer ms | engine: one more peer ms | engine: one removed ms | status of all s | save s | stop s | start from the saved TOML s | RSS per configured peer KB |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for kind, r in rows:
    if kind == "taltun":
        print(f"| {r['peers']} | {r['add_all_s']} | {r['add_each_ms']} | {r['add_one_ms']} | {r['remove_one_ms']} | {float(r['add_one_us']) / 1000:.3f} | {float(r['remove_one_us']) / 1000:.3f} | {r['status_s']} | {r['save_s']} | {r['stop_s']} | {r['start_s']} | {r['rss_per_peer_kb']} |")
print()
print("| peers | wireguard-go: wg setconf of all s | one more wg set ms (process start included) | wg show dump s | RSS per configured peer KB |")
print("|---|---|---|---|---|")
for kind, r in rows:
    if kind == "wireguard-go":
        print(f"| {r['peers']} | {r['setconf_s']} | {r['set_one_ms']} | {r['dump_s']} | {r['rss_per_peer_kb']} |")
PY
