#!/usr/bin/env bash
# A hub with N live peers (bench/Taltun.Swarm plays them, each its own key, address and port):
# how fast they all connect, the hub's idle CPU and memory with N live sessions and 25 s
# keepalives, and the reconnect storm when the hub restarts while they run. The hub is
# bench/Taltun.BenchHost started from a TOML file. Everything runs in two namespaces this script
# creates (and deletes, also on failure).
#
#   sudo bench/swarm-bench.sh [peers, default 10000] [idle seconds, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077

N="${1:-10000}"
IDLE="${2:-60}"
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
dotnet build bench/Taltun.BenchHost -c Release -o "$WORK/host" >/dev/null
dotnet build bench/Taltun.Swarm -c Release -o "$WORK/swarm" >/dev/null
ulimit -n $((N + 1024))

for ns in "$H" "$S"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip link add swb$$a netns "$H" type veth peer name swb$$b netns "$S"
ip -n "$H" address add 10.95.0.1/24 dev swb$$a; ip -n "$H" link set swb$$a up
ip -n "$S" address add 10.95.0.2/24 dev swb$$b; ip -n "$S" link set swb$$b up
ip -n "$S" route add local 10.80.0.0/16 dev lo      # one address per peer
ip -n "$H" route add 10.80.0.0/16 via 10.95.0.2

hub_key="$(wg genkey)"
mkfifo "$WORK/swarm.in"
ip netns exec "$S" "$WORK/swarm/Taltun.Swarm" --count "$N" --hub 10.95.0.1:9000 --hub-key "$(echo "$hub_key" | wg pubkey)" \
    --hub-address 10.64.0.1 --sources 10.80.0.1 --tunnel-first 10.64.0.2 --peers-out "$WORK/peers.toml" \
    <"$WORK/swarm.in" >"$WORK/swarm.out" 2>&1 &
PIDS+=($!)
exec 3>"$WORK/swarm.in"
for _ in $(seq 600); do grep -q ready "$WORK/swarm.out" 2>/dev/null && break; sleep 0.1; done
{ printf '[interface]\nmode = "server"\ntun_name = "swbhub"\nvip = "10.64.0.1/16"\nlocal_addr = "0.0.0.0:9000"\nprivate_key = "%s"\n' "$hub_key"; cat "$WORK/peers.toml"; } >"$WORK/hub.toml"

start_hub() {
    ip netns exec "$H" "$WORK/host/Taltun.BenchHost" --config "$WORK/hub.toml" </dev/null >"$WORK/hub.out" 2>&1 &
    HUB=$!
    PIDS+=("$HUB")
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
HALF=$((N / 2))
awk -v half="$HALF" '/^\[\[peers\]\]/ { n++ } n <= half' "$WORK/hub.toml" >"$WORK/half.toml"
ip netns exec "$H" "$WORK/host/Taltun.BenchHost" --config "$WORK/half.toml" </dev/null >"$WORK/half.out" 2>&1 &
half=$!
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
kill -TERM "$HUB"; wait "$HUB" 2>/dev/null || true
lines=$(grep -c '^t=' "$WORK/swarm.out")
restart=$(date +%s.%N)
start_hub
started=$(awk -v s="$restart" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
# Only status lines printed after the restart count: earlier ones describe the old sessions.
for _ in $(seq 600); do
    [ "$(grep -c '^t=' "$WORK/swarm.out")" -gt "$lines" ] && [ "$(handshakes)" = "$N" ] && [ "$(connected)" = "$N" ] && break
    sleep 0.1
done
storm=$(awk -v s="$restart" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
rate=$(grep -o 'handshakes=[0-9]*' "$WORK/swarm.out" | tail -n 30 | sed 's/.*=//' | awk 'NR > 1 && $1 - prev > best { best = $1 - prev } { prev = $1 } END { print best + 0 }')
cookies=$(tail -n1 "$WORK/swarm.out" | sed -n 's/.*cookies=\([0-9]*\).*/\1/p')
echo stop >&3

echo "## Live peers — $(date -u +%Y-%m-%d), $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
echo
echo "Command: \`sudo bench/swarm-bench.sh $N $IDLE\` (the swarm: $N WireGuard peers in one process, 25 s persistent keepalives, an echo request per peer a second while not idle)"
echo
echo "| peers | all connected after s | hub idle CPU, % of one core ($IDLE s, keepalives only) | KB per configured peer | KB per live peer | hub restart: up again after s | every session back after s | peak handshakes/s | cookie replies |"
echo "|---|---|---|---|---|---|---|---|---|"
awk -v n="$N" -v h="$HALF" -v c="$connect" -v i="$idle" -v r="$rss_half" -v r0="$rss_configured" -v r1="$rss_live" -v up="$started" -v s="$storm" -v rate="$rate" -v k="${cookies:-0}" \
    'BEGIN { p = (r0 - r) / (n - h); printf "| %d | %s | %s | %.2f | %.2f | %s | %s | %s | %s |\n", n, c, i, p, p + (r1 - r0) / n, up, s, rate, k }'
echo
echo "(Memory, after a full garbage collection: a configured peer is the hub's RSS with all $N peers less its RSS with the first $HALF, per peer added; a live peer adds what the RSS grew by once every session was up. Of that, the managed heap's live objects: $(awk -v n="$N" -v h="$HALF" -v e="$managed_half" -v c="$managed_configured" -v l="$managed_live" 'BEGIN { p = (c - e) / (n - h); printf "%.2f KB per configured peer, %.2f KB per live peer", p, p + (l - c) / n }').)"
echo
echo "The swarm's status lines (t, peers whose latest echo was answered, sessions made since the restart, cookie replies, echo replies):"
echo '```'
grep '^t=' "$WORK/swarm.out"
echo '```'
