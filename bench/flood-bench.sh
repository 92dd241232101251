#!/usr/bin/env bash
# A hub under a flood of handshake initiations with a valid mac1, Taltun and Debian's
# wireguard-go side by side in one run. Per hub and rate: the cookie replies the attacker got
# back, how long a new Taltun spoke and a new wireguard-go spoke take to reach the hub (first
# answered ping, started 2 s into the flood), the ping loss of a spoke that was already
# connected, and the hub's CPU. Everything lives in namespaces this script creates (and deletes,
# also on failure); the flood goes only to the hub's address on the attacker's veth.
#
#   sudo bench/flood-bench.sh [seconds of flood per run, default 15] [rates, default "10000 20000 30000"]
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077   # the keys this script makes

FLOOD_SECONDS="${1:-15}"
RATES="${2:-10000 20000 30000}"
P="fb$$"
H="$P-hub"; X="$P-attacker"; S1="$P-s1"; S2="$P-s2"; S3="$P-s3"
WORK="$(mktemp -d)"
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    for ns in "$H" "$X" "$S1" "$S2" "$S3"; do ip netns delete "$ns" 2>/dev/null || true; done
    rm -f /var/run/wireguard/"$P"*.sock
    rm -rf "$WORK"
}
trap cleanup EXIT

scripts/install-prerequisites.sh >/dev/null
dotnet publish bench/Taltun.BenchHost -c Release -o "$WORK/host" >/dev/null
dotnet build bench/Taltun.Flood -c Release -o "$WORK/flood" >/dev/null

for ns in "$H" "$X" "$S1" "$S2" "$S3"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
link() { # hub-address namespace address
    local name="$P$RANDOM"
    ip link add "${name}a" netns "$H" type veth peer name "${name}b" netns "$2"
    ip -n "$H" address add "$1/24" dev "${name}a"; ip -n "$H" link set "${name}a" up
    ip -n "$2" address add "$3/24" dev "${name}b"; ip -n "$2" link set "${name}b" up
}
link 10.96.0.1 "$X" 10.96.0.2
link 10.95.1.1 "$S1" 10.95.1.2
link 10.95.2.1 "$S2" 10.95.2.2
link 10.95.3.1 "$S3" 10.95.3.2
ip -n "$X" route add local 10.96.1.0/24 dev lo       # the flood's 64 sources
ip -n "$H" route add 10.96.1.0/24 via 10.96.0.2

for k in hub s1 s2 s3; do wg genkey >"$WORK/$k.key"; wg pubkey <"$WORK/$k.key" >"$WORK/$k.pub"; done
pub() { cat "$WORK/$1.pub"; }
key() { cat "$WORK/$1.key"; }

cat >"$WORK/hub.toml" <<TOML
[interface]
mode = "server"
tun_name = "fbhub"
vip = "10.0.0.1/24"
local_addr = "0.0.0.0:9000"
private_key = "$(key hub)"
[[peers]]
public_key = "$(pub s1)"
vip = "10.0.0.2"
[[peers]]
public_key = "$(pub s2)"
vip = "10.0.0.3"
[[peers]]
public_key = "$(pub s3)"
vip = "10.0.0.4"
TOML
spoke_toml() { # name vip hub-endpoint
    cat <<TOML
[interface]
mode = "client"
tun_name = "fb$1"
vip = "$2/24"
local_addr = "0.0.0.0:9000"
private_key = "$(key "$1")"
[[peers]]
public_key = "$(pub hub)"
vip = "10.0.0.1"
endpoint = "$3"
TOML
}
spoke_toml s1 10.0.0.2 10.95.1.1:9000 >"$WORK/s1.toml"
spoke_toml s2 10.0.0.3 10.95.2.1:9000 >"$WORK/s2.toml"

# Each start_* leaves the new process's id in STARTED (and in PIDS, for clean-up).
start_taltun() { # namespace config
    ip netns exec "$1" "$WORK/host/Taltun.BenchHost" --config "$2" </dev/null >"$WORK/$(basename "$2").out" 2>&1 &
    STARTED=$!
    PIDS+=("$STARTED")
    for _ in $(seq 100); do grep -q ready "$WORK/$(basename "$2").out" 2>/dev/null && break; sleep 0.1; done
}

start_wireguard_go() { # namespace interface address [wg set arguments...]
    local ns=$1 name=$2 address=$3; shift 3
    ip netns exec "$ns" env WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 wireguard-go -f "$name" >/dev/null 2>&1 &
    PIDS+=($!)
    for _ in $(seq 50); do [ -S "/var/run/wireguard/$name.sock" ] && break; sleep 0.1; done
    ip netns exec "$ns" wg set "$name" "$@"
    ip -n "$ns" address add "$address" dev "$name"
    ip -n "$ns" link set "$name" up
    STARTED=$(pgrep -f "wireguard-go -f $name" | head -n1)
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

time_to_reach() { # namespace → seconds until one echo to the hub is answered (20 s at most)
    local start; start=$(date +%s.%N)
    for _ in $(seq 200); do
        if ip netns exec "$1" ping -n -c 1 -W 0.1 10.0.0.1 >/dev/null 2>&1; then break; fi
    done
    awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }'
}

run() { # hub-kind rate
    local hub_pid
    if [ "$1" = taltun ]; then
        start_taltun "$H" "$WORK/hub.toml"; hub_pid=$STARTED
        start_taltun "$S1" "$WORK/s1.toml"
    else
        start_wireguard_go "$H" "${P}h" 10.0.0.1/24 private-key "$WORK/hub.key" listen-port 9000 \
            peer "$(pub s1)" allowed-ips 10.0.0.2/32 peer "$(pub s2)" allowed-ips 10.0.0.3/32 peer "$(pub s3)" allowed-ips 10.0.0.4/32
        hub_pid=$STARTED
        start_wireguard_go "$S1" "${P}s1" 10.0.0.2/24 private-key "$WORK/s1.key" \
            peer "$(pub hub)" allowed-ips 10.0.0.0/24 endpoint 10.95.1.1:9000 persistent-keepalive 25
    fi
    ip netns exec "$S1" ping -c 3 -i 0.2 -W 2 10.0.0.1 >/dev/null

    local cpu0; cpu0=$(cpu_ticks "$hub_pid")
    ip netns exec "$X" dotnet "$WORK/flood/Taltun.Flood.dll" --target 10.96.0.1:9000 --public-key "$(pub hub)" \
        --rate "$2" --seconds "$FLOOD_SECONDS" --sources 10.96.1.1 --source-count 32 --ports-per-source 2 >"$WORK/flood.out" &
    local flood=$!
    local pings=$(( FLOOD_SECONDS * 1000 / 20 - 150 ))
    ip netns exec "$S1" ping -q -c "$pings" -i 0.02 -W 1 10.0.0.1 >"$WORK/ping.out" 2>&1 &
    local pinger=$!
    sleep 2
    start_taltun "$S2" "$WORK/s2.toml"
    local taltun_spoke; taltun_spoke=$(time_to_reach "$S2")
    start_wireguard_go "$S3" "${P}s3" 10.0.0.4/24 private-key "$WORK/s3.key" \
        peer "$(pub hub)" allowed-ips 10.0.0.0/24 endpoint 10.95.3.1:9000 persistent-keepalive 25
    local wg_spoke; wg_spoke=$(time_to_reach "$S3")
    wait "$flood" "$pinger" || true
    local cpu1; cpu1=$(cpu_ticks "$hub_pid")
    local loss; loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$WORK/ping.out")
    read -r _ sent _ cookies _ seconds <"$WORK/flood.out"
    echo "| $1 | $2 | $sent | $cookies | $taltun_spoke | $wg_spoke | $loss | $(awk -v t="$((cpu1 - cpu0))" -v s="$seconds" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", 100 * t / hz / s }') |" >>"$WORK/results"

    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    PIDS=()
    rm -f /var/run/wireguard/"$P"*.sock
}

for rate in $RATES; do
    run taltun "$rate"
    run wireguard-go "$rate"
done

echo "## Handshake flood — $(date -u +%Y-%m-%d), $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
echo
echo "Command: \`sudo bench/flood-bench.sh $FLOOD_SECONDS \"$RATES\"\` (initiations with a valid mac1 from 64 sources for $FLOOD_SECONDS s; new spokes start 2 s in; the established spoke pings every 20 ms)"
echo
echo "| hub | initiations/s | sent | cookie replies received | new Taltun spoke reaches the hub (s) | new wireguard-go spoke reaches the hub (s) | established spoke's ping loss % | hub CPU, % of one core |"
echo "|---|---|---|---|---|---|---|---|"
cat "$WORK/results"
