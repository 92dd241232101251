#!/usr/bin/env bash
# Round-trip time, throughput and CPU of Taltun next to raw veth, the floor relay
# (bench/floor-relay.c: no encryption, no protocol) and Debian's wireguard-go, with every path up at
# once on one veth pair between two network namespaces this script creates (and deletes, also on
# failure), measured in alternating rounds so that the machine's noise falls on every path alike.
# Only addresses inside those namespaces are used.
#
#   sudo bench/latency-bench.sh [rounds, default 5] [pings per run, default 200] [iperf3 seconds, default 3; 0: no throughput]
#   TALTUN_BENCH_COMPARE="REV …" sudo bench/latency-bench.sh     # also: Taltun as of each git revision, a path each
#   TALTUN_BENCH_VARIANTS="NAME=ARGS;…" sudo bench/latency-bench.sh  # also: this build with extra Taltun.BenchHost arguments
#
# Each round pings every path (in an order rotated per round) 10 ms apart and then 1 ms apart, and
# runs iperf3 with 1 and 4 streams; the table gives the median of the rounds' averages. Then, with
# every path idle, each path's CPU over IDLE_SECONDS (default 20), and its CPU while carrying
# 100 echoes a second for 5 s (the 10 ms spacing, where keep_warm wakes the most) and at 1,000 echoes
# a second (requests and replies: 1,000 packets a second each way) for 5 s — each as a share of one
# core, both ends of the tunnel added up.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/two-namespaces.sh
. bench/two-namespaces.sh

ROUNDS="${1:-5}"
PINGS="${2:-200}"
IPERF_SECONDS="${3:-3}"
IDLE_SECONDS="${IDLE_SECONDS:-20}"
A="latA-$$"
B="latB-$$"
WORK="$(mktemp -d)"
PIDS=()
BASES=()

cleanup() {
    stop_two_namespaces "$A" "$B"
    rm -f /var/run/wireguard/latwg$$?.sock
    for base in "${BASES[@]}"; do git worktree remove --force "$base" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

scripts/install-prerequisites.sh >/dev/null

# Paths: "name address pid-of-A pid-of-B"; raw veth first, then each Taltun build, the floor relay, wireguard-go last.
PATHS=()
declare -A HOSTS=()
HOSTS[taltun]="$WORK/host"
dotnet publish bench/Taltun.BenchHost -c Release -o "$WORK/host" >/dev/null
build_floor_relay "$WORK/floor-relay"
for rev in ${TALTUN_BENCH_COMPARE:-}; do
    git worktree add --detach "$WORK/base-$rev" "$rev" >/dev/null 2>&1
    BASES+=("$WORK/base-$rev")
    dotnet publish "$WORK/base-$rev/bench/Taltun.BenchHost" -c Release -o "$WORK/host-$rev" >/dev/null
done

veth_pair "$A" "$B" latv
PATHS+=("raw-veth 10.97.0.1 - -")

keyA="$(wg genkey)"; keyB="$(wg genkey)"
echo "$keyA" >"$WORK/a.key"; echo "$keyB" >"$WORK/b.key"
pubA="$(echo "$keyA" | wg pubkey)"; pubB="$(echo "$keyB" | wg pubkey)"

# Every Taltun.BenchHost reads its commands from this pipe, which nobody writes: it runs until killed.
mkfifo "$WORK/hold"
exec 7<>"$WORK/hold"
index=0
start_taltun() { # name host-dir [extra BenchHost arguments…]
    local name="$1" host="$2"; shift 2
    local net="10.0.$((10 + index))" port=$((9100 + index)) dev="lat$index"
    index=$((index + 1))
    ip netns exec "$A" "$host/Taltun.BenchHost" --name "$dev" --key "$WORK/a.key" --address "$net.1/24" \
        --listen "0.0.0.0:$port" --peer "$pubB" --allowed "$net.2/32" "$@" <"$WORK/hold" >"$WORK/$dev-a.out" 2>&1 &
    local a=$!
    ip netns exec "$B" "$host/Taltun.BenchHost" --name "$dev" --key "$WORK/b.key" --address "$net.2/24" \
        --listen "0.0.0.0:$port" --peer "$pubA" --allowed "$net.1/32" --endpoint "10.97.0.1:$port" "$@" <"$WORK/hold" >"$WORK/$dev-b.out" 2>&1 &
    local b=$!
    PIDS+=("$a" "$b")
    for _ in $(seq 100); do [ "$(grep -l ready "$WORK/$dev-a.out" "$WORK/$dev-b.out" 2>/dev/null | wc -l)" = 2 ] && break; sleep 0.2; done
    ip netns exec "$B" ping -c 3 -i 0.2 -W 2 "$net.1" >/dev/null
    PATHS+=("$name $net.1 $a $b")
}

start_taltun taltun "$WORK/host"
for rev in ${TALTUN_BENCH_COMPARE:-}; do
    start_taltun "taltun@$rev" "$WORK/host-$rev"
done
IFS=';' read -r -a variants <<<"${TALTUN_BENCH_VARIANTS:-}"
for variant in "${variants[@]}"; do
    # shellcheck disable=SC2086 # the arguments are words
    [ -n "$variant" ] && start_taltun "taltun[${variant%%=*}]" "$WORK/host" ${variant#*=}
done

# The floor: a relay in C that only moves packets between a TUN device and a UDP socket (no
# encryption, no protocol), the least any tunnel that sleeps between packets can add.
start_floor_relay "$WORK/floor-relay" "$A" "$B" latfloor
PATHS+=("floor 10.0.2.1 ${PIDS[-2]} ${PIDS[-1]}")

for side in a b; do
    ns="$A"; [ "$side" = b ] && ns="$B"
    ip netns exec "$ns" env WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 wireguard-go -f "latwg$$$side" >/dev/null 2>&1 &
    PIDS+=($!)
done
wgA="${PIDS[-2]}"; wgB="${PIDS[-1]}"
for _ in $(seq 50); do [ -S "/var/run/wireguard/latwg$$a.sock" ] && [ -S "/var/run/wireguard/latwg$$b.sock" ] && break; sleep 0.1; done
ip netns exec "$A" wg set "latwg$$a" private-key "$WORK/a.key" listen-port 51820 peer "$pubB" allowed-ips 10.0.1.2/32
ip netns exec "$B" wg set "latwg$$b" private-key "$WORK/b.key" listen-port 51820 peer "$pubA" allowed-ips 10.0.1.1/32 endpoint 10.97.0.1:51820
ip -n "$A" address add 10.0.1.1/24 dev "latwg$$a"; ip -n "$A" link set "latwg$$a" up
ip -n "$B" address add 10.0.1.2/24 dev "latwg$$b"; ip -n "$B" link set "latwg$$b" up
ip netns exec "$B" ping -c 3 -i 0.2 -W 2 10.0.1.1 >/dev/null
PATHS+=("wireguard-go 10.0.1.1 $wgA $wgB")

rtt() { # address interval → the median echo's RTT, ms (a median, not ping's average: a build
         # on this shared machine that preempts a few echoes should not move the figure)
    ip netns exec "$B" ping -c "$PINGS" -i "$2" "$1" \
        | sed -n 's/.* time=\([0-9.]*\) ms/\1/p' | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

iperf() { # address streams → Gbit/s received
    ip netns exec "$A" iperf3 -s -1 -B "$1" -p 5399 >/dev/null 2>&1 &
    local server=$!
    sleep 0.3
    ip netns exec "$B" iperf3 -c "$1" -p 5399 -t "$IPERF_SECONDS" -P "$2" -J \
        | python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))'
    wait "$server" || true
}

cpu_ns() { # pid … → CPU time of the processes (threads that ended included), ns
    local total=0 pid ticks
    for pid in "$@"; do
        ticks="$(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')"
        total=$((total + ticks * 1000000000 / $(getconf CLK_TCK)))
    done
    echo "$total"
}

# Warm every path first: a Taltun just started still runs code the runtime has not optimised yet.
for path in "${PATHS[@]}"; do
    read -r _ address _ _ <<<"$path"
    ip netns exec "$B" ping -q -c 1000 -i 0.002 "$address" >/dev/null
done

count=${#PATHS[@]}
for round in $(seq "$ROUNDS"); do
    for i in $(seq 0 $((count - 1))); do
        read -r name address _ _ <<<"${PATHS[$(((i + round) % count))]}"
        echo "$name rtt10 $(rtt "$address" 0.01)" >>"$WORK/results"
        echo "$name rtt1 $(rtt "$address" 0.001)" >>"$WORK/results"
        if [ "$IPERF_SECONDS" != 0 ]; then
            echo "$name one $(iperf "$address" 1)" >>"$WORK/results"
            echo "$name four $(iperf "$address" 4)" >>"$WORK/results"
        fi
    done
    echo "round $round of $ROUNDS done" >&2
done

# CPU while idle: every path at once, after a pause for the last traffic's timers to settle.
sleep 2
declare -A idle0=()
for path in "${PATHS[@]}"; do
    read -r name _ a b <<<"$path"
    [ "$a" = - ] || idle0[$name]="$(cpu_ns "$a" "$b")"
done
start=$(date +%s%N)
sleep "$IDLE_SECONDS"
elapsed=$(($(date +%s%N) - start))
for path in "${PATHS[@]}"; do
    read -r name _ a b <<<"$path"
    [ "$a" = - ] || echo "$name idle $(awk -v c="$(($(cpu_ns "$a" "$b") - idle0[$name]))" -v t="$elapsed" 'BEGIN { printf "%.3f", 100 * c / t }')" >>"$WORK/results"
done

# CPU at 100 and at 1,000 echoes a second, one path at a time.
for path in "${PATHS[@]}"; do
    read -r name address a b <<<"$path"
    [ "$a" = - ] && continue
    for rate in sparse:500:0.01 busy:5000:0.001; do
        IFS=: read -r what echoes interval <<<"$rate"
        before="$(cpu_ns "$a" "$b")"
        start=$(date +%s%N)
        ip netns exec "$B" ping -q -c "$echoes" -i "$interval" "$address" >/dev/null
        elapsed=$(($(date +%s%N) - start))
        echo "$name $what $(awk -v c="$(($(cpu_ns "$a" "$b") - before))" -v t="$elapsed" 'BEGIN { printf "%.1f", 100 * c / t }')" >>"$WORK/results"
    done
done

echo "## Latency benchmark — $(date -u +%Y-%m-%d), $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
echo
throughput=""
[ "$IPERF_SECONDS" != 0 ] && throughput=", iperf3 TCP B → A for $IPERF_SECONDS s with 1 and 4 streams"
echo "Command: \`${TALTUN_BENCH_COMPARE:+TALTUN_BENCH_COMPARE=\"$TALTUN_BENCH_COMPARE\" }${TALTUN_BENCH_VARIANTS:+TALTUN_BENCH_VARIANTS=\"$TALTUN_BENCH_VARIANTS\" }sudo bench/latency-bench.sh $ROUNDS $PINGS $IPERF_SECONDS\` ($ROUNDS alternating rounds; each: $PINGS pings 10 ms apart, $PINGS pings 1 ms apart$throughput; medians of the rounds)"
echo
python3 - "$WORK/results" "$(printf '%s\n' "${PATHS[@]}" | cut -d' ' -f1 | paste -sd' ')" <<'PY'
import statistics, sys
values = {}
for line in open(sys.argv[1]):
    name, what, value = line.split()
    values.setdefault((name, what), []).append(float(value))
names = sys.argv[2].split()
def median(name, what):
    v = values.get((name, what))
    return statistics.median(v) if v else None
def cell(name, what, digits):
    v = values.get((name, what))
    if not v:
        return "–"
    return f"{statistics.median(v):.{digits}f}" + (f" ({min(v):.{digits}f}–{max(v):.{digits}f})" if len(v) > 1 else "")
def added(name, what):
    raw, wg, own = median("raw-veth", what), median("wireguard-go", what), median(name, what)
    if name == "raw-veth" or None in (raw, wg, own):
        return "–"
    return f"+{own - raw:.3f}" + ("" if name == "wireguard-go" else f" ({(own - raw) / (wg - raw):.2f}× wg-go's)")
print("| path | RTT ms, 10 ms apart | added over raw | RTT ms, 1 ms apart | added over raw | 1 stream Gbit/s | 4 streams Gbit/s | idle CPU % of a core | CPU % at 100 echoes/s | CPU % at 1,000 echoes/s |")
print("|---|---|---|---|---|---|---|---|---|---|")
for name in names:
    print(f"| {name} | {cell(name, 'rtt10', 3)} | {added(name, 'rtt10')} | {cell(name, 'rtt1', 3)} | {added(name, 'rtt1')} | {cell(name, 'one', 2)} | {cell(name, 'four', 2)} | {cell(name, 'idle', 2)} | {cell(name, 'sparse', 1)} | {cell(name, 'busy', 1)} |")
PY
echo
echo "RTT: median over the rounds of each round's median echo (lowest–highest round). CPU: both ends of the tunnel added up, as a share of one core."
