#!/usr/bin/env bash
# A hub with N live peers (bench/Taltun.Swarm plays them, each its own key, address and port):
# how fast they all connect, the hub's idle CPU and memory with N live sessions and 25 s
# keepalives, and the reconnect storm when the hub restarts while they run. The hub is
# bench/Taltun.BenchHost started from a TOML file. Everything runs in two namespaces this script
# creates (and deletes, also on failure).
#
#   sudo bench/swarm-bench.sh [peers, default 10000] [idle seconds, default 60]
#
# SWARM_HUB_USER=nobody runs the hub as that user (its group: SWARM_HUB_GROUP, default nogroup)
# holding only CAP_NET_ADMIN, with RLIMIT_MEMLOCK at SWARM_HUB_MEMLOCK bytes (default 65536, the
# limit for users before Linux 5.16; "keep" leaves this shell's), as a service would run it. It
# runs in a private mount namespace where /dev/net/tun is mode 0666 (as udev's default rule makes
# it) and /run is a fresh tmpfs with the user's /run/wireguard and /run/taltun; the machine's own
# /dev and /run are untouched. SWARM_HUB_TRACE=PREFIX attaches strace to the hub (with all its
# peers) as it starts, and again after the restart, for the calls that lock memory: PREFIX.PID.
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077

N="${1:-10000}"
IDLE="${2:-60}"
HUB_USER="${SWARM_HUB_USER:-}"
HUB_GROUP="${SWARM_HUB_GROUP:-nogroup}"
HUB_MEMLOCK="${SWARM_HUB_MEMLOCK:-65536}"
H="swb-hub-$$"; S="swb-peers-$$"
WORK="$(mktemp -d)"
PIDS=()

cleanup() {
    exec 3>&- 2>/dev/null || true
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    ip netns delete "$H" 2>/dev/null || true
    ip netns delete "$S" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

scripts/install-prerequisites.sh >/dev/null
dotnet publish bench/Taltun.BenchHost -c Release -o "$WORK/host" >/dev/null
dotnet build bench/Taltun.Swarm -c Release -o "$WORK/swarm" >/dev/null
ulimit -n $((N + 1024))

for ns in "$H" "$S"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip link add swb$$a netns "$H" type veth peer name swb$$b netns "$S"
ip -n "$H" address add 10.95.0.1/24 dev swb$$a; ip -n "$H" link set swb$$a up
ip -n "$S" address add 10.95.0.2/24 dev swb$$b; ip -n "$S" link set swb$$b up
ip -n "$S" route add local 10.80.0.0/16 dev lo      # one address per peer
ip -n "$H" route add 10.80.0.0/16 via 10.95.0.2

# run_hub OUT CONFIG: starts the hub in its namespace (as HUB_USER if set); HUB_PID is its id.
run_hub() {
    if [ -z "$HUB_USER" ]; then
        ip netns exec "$H" "$WORK/host/Taltun.BenchHost" --config "$2" </dev/null >"$1" 2>&1 &
    else
        local limit=()
        [ "$HUB_MEMLOCK" = keep ] || limit=(prlimit "--memlock=$HUB_MEMLOCK:$HUB_MEMLOCK")
        # Every step execs the next, so the hub keeps this job's process id.
        ip netns exec "$H" unshare --mount --propagation private bash -c '
            mount -t tmpfs -o mode=0755 tmpfs /dev/net && mknod -m 0666 /dev/net/tun c 10 200
            mount -t tmpfs -o mode=0755 tmpfs /run && install -d -m 0755 -o "$1" -g "$2" /run/wireguard /run/taltun
            shift 2
            exec "$@"' _ "$HUB_USER" "$HUB_GROUP" "${limit[@]}" \
            setpriv --reuid="$HUB_USER" --regid="$HUB_GROUP" --clear-groups \
                --inh-caps=-all,+net_admin --ambient-caps=-all,+net_admin --bounding-set=-all,+net_admin --no-new-privs \
                env -i PATH=/usr/bin:/bin HOME=/nonexistent "$WORK/host/Taltun.BenchHost" --config "$2" </dev/null >"$1" 2>&1 &
    fi
    HUB_PID=$!
}

hub_key="$(wg genkey)"
mkfifo "$WORK/swarm.in"
ip netns exec "$S" "$WORK/swarm/Taltun.Swarm" --count "$N" --hub 10.95.0.1:9000 --hub-key "$(echo "$hub_key" | wg pubkey)" \
    --hub-address 10.64.0.1 --sources 10.80.0.1 --tunnel-first 10.64.0.2 --peers-out "$WORK/peers.toml" \
    <"$WORK/swarm.in" >"$WORK/swarm.out" 2>&1 &
PIDS+=($!)
exec 3>"$WORK/swarm.in"
for _ in $(seq 600); do grep -q ready "$WORK/swarm.out" 2>/dev/null && break; sleep 0.1; done
{ printf '[interface]\nmode = "server"\ntun_name = "swbhub"\nvip = "10.64.0.1/16"\nlocal_addr = "0.0.0.0:9000"\nprivate_key = "%s"\n' "$hub_key"; cat "$WORK/peers.toml"; } >"$WORK/hub.toml"
HALF=$((N / 2))
awk -v half="$HALF" '/^\[\[peers\]\]/ { n++ } n <= half' "$WORK/hub.toml" >"$WORK/half.toml"
if [ -n "$HUB_USER" ]; then
    # The hub's user reads its program and its files (0600, its own), nothing else of ours.
    chmod 0711 "$WORK"; chmod -R a+rX "$WORK/host"
    chown "$HUB_USER" "$WORK/hub.toml" "$WORK/half.toml"
fi

start_hub() {
    run_hub "$WORK/hub.out" "$WORK/hub.toml"
    HUB=$HUB_PID
    PIDS+=("$HUB")
    if [ -n "${SWARM_HUB_TRACE:-}" ]; then
        strace -f -qq -e trace=mlock,mlock2,mlockall,munlock,munlockall -o "$SWARM_HUB_TRACE.$HUB" -p "$HUB" &
        PIDS+=($!)
    fi
    for _ in $(seq 300); do grep -q ready "$WORK/hub.out" 2>/dev/null && break; sleep 0.1; done
}
rss_kb() { kill -USR1 "$1"; sleep 2; awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }
managed_kb() { grep -o 'memory managed=[0-9]*' "$1" | tail -n1 | awk -F= '{ print $2 / 1024 }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
connected() { tail -n1 "$WORK/swarm.out" | sed -n 's/.*connected=\([0-9]*\).*/\1/p'; }
handshakes() { tail -n1 "$WORK/swarm.out" | sed -n 's/.*handshakes=\([0-9]*\).*/\1/p'; }
wait_all() { # seconds limit → seconds until every peer's latest echo was answered
    local start; start=$(date +%s.%N)
    for _ in $(seq $(( $1 * 10 ))); do [ "$(connected)" = "$N" ] && break; sleep 0.1; done
    awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'
}

# The same hub with the first half of the peers: what a peer costs is the difference per peer.
# (Against a hub with no peers, the runtime's own growth — code the tiered JIT compiles once a
# start loops over thousands of peers — would count as the peers' memory: about 0.6 KB each at
# 10,000, gone with DOTNET_TieredCompilation=0.)
run_hub "$WORK/half.out" "$WORK/half.toml"
half=$HUB_PID
PIDS+=("$half")
for _ in $(seq 300); do grep -q ready "$WORK/half.out" 2>/dev/null && break; sleep 0.1; done
sleep 1
rss_half=$(rss_kb "$half")
managed_half=$(managed_kb "$WORK/half.out")
kill -TERM "$half"; wait "$half" 2>/dev/null || true

start_hub
sleep 1
rss_configured=$(rss_kb "$HUB")
managed_configured=$(managed_kb "$WORK/hub.out")
echo go >&3
connect=$(wait_all 120)

# Idle: keepalives only. CPU and memory of the hub with every session live.
echo quiet >&3
sleep 5
cpu0=$(cpu_ticks "$HUB"); sleep "$IDLE"; cpu1=$(cpu_ticks "$HUB")
rss_live=$(rss_kb "$HUB")
managed_live=$(managed_kb "$WORK/hub.out")
idle=$(awk -v t="$((cpu1 - cpu0))" -v s="$IDLE" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", 100 * t / hz / s }')

# The storm: echoes again, then the hub restarts; every peer notices and connects again.
echo echo >&3
sleep 3
echo mark >&3
locked_kb=$(awk '/VmLck/ { print $2 }' "/proc/$HUB/status")
kill -TERM "$HUB"; wait "$HUB" 2>/dev/null || true
lines=$(grep -c '^t=' "$WORK/swarm.out")
swarm_pid=$(pgrep -f "$WORK/swarm/Taltun.Swarm" | head -n1)
swarm0=$(cpu_ticks "$swarm_pid")
restart=$(date +%s.%N)
start_hub
started=$(awk -v s="$restart" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
hub_start=$(cpu_ticks "$HUB")
if [ -n "${SWARM_HUB_PERF:-}" ]; then
    perf record -F 499 -g -p "$HUB" -o "$SWARM_HUB_PERF" -- sleep 8 >/dev/null 2>&1 &
    PIDS+=($!)
fi
# Only status lines printed after the restart count: earlier ones describe the old sessions.
for _ in $(seq 600); do
    [ "$(grep -c '^t=' "$WORK/swarm.out")" -gt "$lines" ] && [ "$(handshakes)" = "$N" ] && [ "$(connected)" = "$N" ] && break
    sleep 0.1
done
storm=$(awk -v s="$restart" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
hub_storm=$(cpu_ticks "$HUB"); swarm_storm=$(( $(cpu_ticks "$swarm_pid") - swarm0 ))
kill -USR2 "$HUB"; sleep 1
rate=$(grep -o 'handshakes=[0-9]*' "$WORK/swarm.out" | tail -n 30 | sed 's/.*=//' | awk 'NR > 1 && $1 - prev > best { best = $1 - prev } { prev = $1 } END { print best + 0 }')
cookies=$(tail -n1 "$WORK/swarm.out" | sed -n 's/.*cookies=\([0-9]*\).*/\1/p')
echo stop >&3

echo "## Live peers — $(date -u +%Y-%m-%d), $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
echo
echo "Command: \`sudo ${HUB_USER:+SWARM_HUB_USER=$HUB_USER SWARM_HUB_MEMLOCK=$HUB_MEMLOCK }bench/swarm-bench.sh $N $IDLE\` (the swarm: $N WireGuard peers in one process, 25 s persistent keepalives, an echo request per peer a second while not idle)"
echo
echo "| peers | all connected after s | hub idle CPU, % of one core ($IDLE s, keepalives only) | KB per configured peer | KB per live peer | hub restart: up again after s | every session back after s | peak handshakes/s | cookie replies |"
echo "|---|---|---|---|---|---|---|---|---|"
awk -v n="$N" -v h="$HALF" -v c="$connect" -v i="$idle" -v r="$rss_half" -v r0="$rss_configured" -v r1="$rss_live" -v up="$started" -v s="$storm" -v rate="$rate" -v k="${cookies:-0}" \
    'BEGIN { p = (r0 - r) / (n - h); printf "| %d | %s | %s | %.2f | %.2f | %s | %s | %s | %s |\n", n, c, i, p, p + (r1 - r0) / n, up, s, rate, k }'
echo
echo "(Memory, after a full garbage collection: a configured peer is the hub's RSS with all $N peers less its RSS with the first $HALF, per peer added; a live peer adds what the RSS grew by once every session was up. Of that, the managed heap's live objects: $(awk -v n="$N" -v h="$HALF" -v e="$managed_half" -v c="$managed_configured" -v l="$managed_live" 'BEGIN { p = (c - e) / (n - h); printf "%.2f KB per configured peer, %.2f KB per live peer", p, p + (l - c) / n }').)"
echo
echo "Hub: $( [ -n "$HUB_USER" ] && echo "user $HUB_USER with CAP_NET_ADMIN only, RLIMIT_MEMLOCK $(awk '/Max locked memory/ { print $4 }' "/proc/$HUB/limits") bytes" || echo root); VmLck $locked_kb kB with every session live. CPU from the restart until every session was back: hub $(awk -v t="$hub_storm" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }') s (its start $(awk -v t="$hub_start" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }') s of it), swarm $(awk -v t="$swarm_storm" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }') s. The restarted hub's $(grep '^drops' "$WORK/hub.out" | tail -n1) (BadMac2: answered with a cookie reply); its JIT when it was up: $(grep '^jit' "$WORK/hub.out" | head -n1), after the storm: $(grep '^jit' "$WORK/hub.out" | tail -n1)."
echo
echo "The swarm's status lines (t, peers whose latest echo was answered, sessions made since the restart, cookie replies, echo replies, initiations sent):"
echo '```'
grep '^t=' "$WORK/swarm.out"
echo '```'
