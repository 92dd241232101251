#!/usr/bin/env bash
# Throughput, latency and allocations of Taltun next to raw veth and Debian's wireguard-go,
# all in one run on the same veth pair between two network namespaces this script creates
# (and deletes, also on failure). Only addresses inside those namespaces are used.
#
#   sudo bench/tunnel-bench.sh [seconds per iperf3 run, default 5]
#   TALTUN_BENCH_PROFILE=1 sudo bench/tunnel-bench.sh   # also: perf profile of the Taltun run
#   TALTUN_BENCH_COMPARE=REV sudo bench/tunnel-bench.sh  # also: Taltun as of git revision REV, a row of its own
#
# Prints a Markdown table; ratios are to wireguard-go measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN="${1:-5}"
A="tbench-a-$$"
B="tbench-b-$$"
WORK="$(mktemp -d)"
PIDS=()

cleanup() {
    exec 3>&- 4>&- 2>/dev/null || true
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    ip netns delete "$A" 2>/dev/null || true
    ip netns delete "$B" 2>/dev/null || true
    rm -f /var/run/wireguard/tbwg*.sock
    [ -d "$WORK/base" ] && git worktree remove --force "$WORK/base" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

scripts/install-prerequisites.sh >/dev/null
command -v strace >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends strace >/dev/null
dotnet publish bench/Taltun.BenchHost -c Release -o "$WORK/host" >/dev/null
if [ -n "${TALTUN_BENCH_COMPARE:-}" ]; then
    # The same bench host as of another revision, for a before/after measured in one run.
    git worktree add --detach "$WORK/base" "$TALTUN_BENCH_COMPARE" >/dev/null 2>&1
    dotnet publish "$WORK/base/bench/Taltun.BenchHost" -c Release -o "$WORK/host-base" >/dev/null
fi

ip netns add "$A"
ip netns add "$B"
ip -n "$A" link set lo up
ip -n "$B" link set lo up
ip link add tbv-a netns "$A" type veth peer name tbv-b netns "$B"
ip -n "$A" address add 10.98.0.1/24 dev tbv-a
ip -n "$B" address add 10.98.0.2/24 dev tbv-b
ip -n "$A" link set tbv-a up
ip -n "$B" link set tbv-b up

# iperf3 from B to a server in A: Gbit/s received.
iperf() { # address streams
    ip netns exec "$A" iperf3 -s -1 -B "$1" -p 5299 >/dev/null 2>&1 &
    local server=$!
    sleep 0.3
    ip netns exec "$B" iperf3 -c "$1" -p 5299 -t "$SECONDS_PER_RUN" -P "$2" -J \
        | python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))'
    wait "$server" || true
}

rtt() { # address interval → average ms
    ip netns exec "$B" ping -q -c 200 -i "$2" "$1" | sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p'
}

measure() { # name address
    local one four ping
    one="$(iperf "$2" 1)"
    four="$(iperf "$2" 4)"
    ping="$(rtt "$2" 0.01) $(rtt "$2" 0.001)"
    echo "$1 $one $four $ping" >>"$WORK/results"
}

measure "raw-veth" 10.98.0.1

# Taltun: one process per namespace, driven through a pipe for its counters; once with the
# segmentation offloads (the default) and once without, to show what they gain.
keyA="$(wg genkey)"; keyB="$(wg genkey)"
echo "$keyA" >"$WORK/a.key"; echo "$keyB" >"$WORK/b.key"
export DOTNET_PerfMapEnabled="${TALTUN_BENCH_PROFILE:-0}"
# perf resolves JIT-compiled frames only outside .NET's double-mapped (W^X) code pages.
[ "${TALTUN_BENCH_PROFILE:-0}" = 1 ] && export DOTNET_EnableWriteXorExecute=0

run_taltun() { # name offloads(on|off) profile(0|1) [TUN queues]
    local host="${HOST:-$WORK/host}"
    rm -f "$WORK/a.in" "$WORK/b.in"
    mkfifo "$WORK/a.in" "$WORK/b.in"
    ip netns exec "$A" "$host/Taltun.BenchHost" --key "$WORK/a.key" --address 10.0.0.1/24 --listen 0.0.0.0:9000 \
        --peer "$(echo "$keyB" | wg pubkey)" --allowed 10.0.0.2/32 --offloads "$2" ${4:+--queues "$4"} <"$WORK/a.in" >"$WORK/a.out" 2>"$WORK/a.err" &
    PIDS+=($!)
    ip netns exec "$B" "$host/Taltun.BenchHost" --key "$WORK/b.key" --address 10.0.0.2/24 --listen 0.0.0.0:9000 \
        --peer "$(echo "$keyA" | wg pubkey)" --allowed 10.0.0.1/32 --endpoint 10.98.0.1:9000 --offloads "$2" ${4:+--queues "$4"} <"$WORK/b.in" >"$WORK/b.out" 2>"$WORK/b.err" &
    PIDS+=($!)
    exec 3>"$WORK/a.in" 4>"$WORK/b.in"
    for _ in $(seq 50); do [ "$(grep -l ready "$WORK"/a.out "$WORK"/b.out 2>/dev/null | wc -l)" = 2 ] && break; sleep 0.2; done
    ip netns exec "$B" ping -c 3 -i 0.2 -W 2 10.0.0.1 >/dev/null

    iperf 10.0.0.1 1 >/dev/null   # warm-up: JIT, buffers, sessions
    read -r alloc0 cpu0 packets0 bytes0 < <(stats)
    if [ "$3" = 1 ]; then
        perf record -a -g -o "$WORK/perf.data" -- sleep "$SECONDS_PER_RUN" >/dev/null 2>&1 &
        PROFILER=$!
    fi
    measure "$1" 10.0.0.1
    if [ -n "${PROFILER:-}" ]; then
        wait "$PROFILER" || true
        { perf report -i "$WORK/perf.data" --no-children -g none --sort comm,dso --percent-limit 1 --stdio 2>/dev/null
          perf report -i "$WORK/perf.data" --no-children -g none --sort sym --percent-limit 0.5 --stdio 2>/dev/null
        } | grep -E '^ +[0-9]' >"$WORK/profile" || true
        PROFILER=
    fi
    read -r alloc1 cpu1 packets1 bytes1 < <(stats)

    # System calls per MB: strace both engine processes over a fixed 200 MB transfer (strace slows
    # everything down, so this run is counted, not timed).
    strace -f -c -o "$WORK/strace-$1" -p "${PIDS[0]}" -p "${PIDS[1]}" 2>/dev/null &
    local tracer=$!
    sleep 1
    ip netns exec "$A" iperf3 -s -1 -B 10.0.0.1 -p 5298 >/dev/null 2>&1 &
    sleep 0.3
    ip netns exec "$B" iperf3 -c 10.0.0.1 -p 5298 -n 200M >/dev/null 2>&1 || true
    kill -INT "$tracer"; wait "$tracer" 2>/dev/null || true
    local syscalls
    syscalls="$(awk '$NF == "total" { print $(NF-2) }' "$WORK/strace-$1")"

    echo "$1 $((alloc1 - alloc0)) $((packets1 - packets0)) $(awk -v c0="$cpu0" -v c1="$cpu1" -v b0="$bytes0" -v b1="$bytes1" 'BEGIN { printf "%.2f", (c1 - c0) / ((b1 - b0) / 2 / 1e9) }') $(awk -v n="${syscalls:-0}" 'BEGIN { printf "%.0f", n / 200 }')" >>"$WORK/engine"
    grep -h Offloads "$WORK/a.err" | head -n1 >"$WORK/offloads-$1"
    echo stop >&3; echo stop >&4
    exec 3>&- 4>&-
    wait "${PIDS[@]}" 2>/dev/null || true
    PIDS=()
}

stats() { # → "allocated cpu packets bytes" for both processes, summed
    echo stats >&3; echo stats >&4; sleep 0.3
    paste <(tail -n1 "$WORK/a.out") <(tail -n1 "$WORK/b.out") \
        | awk '{print $2 + $10, $4 + $12, $6 + $14, $8 + $16}'
}

run_taltun "taltun" on "${TALTUN_BENCH_PROFILE:-0}"
if [ -n "${TALTUN_BENCH_COMPARE:-}" ]; then
    HOST="$WORK/host-base" run_taltun "taltun@$TALTUN_BENCH_COMPARE" on 0
fi
run_taltun "taltun-no-offloads" off 0
if [ "$(nproc)" -ge 2 ]; then
    run_taltun "taltun-$(( $(nproc) ))-tun-queues" on 0 "$(nproc)"
fi

# Debian's wireguard-go, same addresses plan on its own subnet.
for side in a b; do
    ns="$A"; [ "$side" = b ] && ns="$B"
    ip netns exec "$ns" env WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 wireguard-go -f "tbwg$side" >/dev/null 2>&1 &
    PIDS+=($!)
done
for _ in $(seq 50); do [ -S /var/run/wireguard/tbwga.sock ] && [ -S /var/run/wireguard/tbwgb.sock ] && break; sleep 0.1; done
ip netns exec "$A" wg set tbwga private-key "$WORK/a.key" listen-port 51820 peer "$(echo "$keyB" | wg pubkey)" allowed-ips 10.0.1.2/32
ip netns exec "$B" wg set tbwgb private-key "$WORK/b.key" listen-port 51820 peer "$(echo "$keyA" | wg pubkey)" allowed-ips 10.0.1.1/32 endpoint 10.98.0.1:51820
ip -n "$A" address add 10.0.1.1/24 dev tbwga; ip -n "$A" link set tbwga up
ip -n "$B" address add 10.0.1.2/24 dev tbwgb; ip -n "$B" link set tbwgb up
ip netns exec "$B" ping -c 3 -i 0.2 -W 2 10.0.1.1 >/dev/null
measure "wireguard-go" 10.0.1.1

echo "## Tunnel benchmark — $(date -u +%Y-%m-%d), $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
echo
echo "Command: \`sudo bench/tunnel-bench.sh $SECONDS_PER_RUN\` (iperf3 TCP, B → A over one veth pair; ping: 200 echoes 10 ms apart, then 1 ms apart)"
echo
python3 - "$WORK/results" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1])]
wg = next(r for r in rows if r[0] == "wireguard-go")
print("| path | 1 stream Gbit/s | × wireguard-go | 4 streams Gbit/s | × wireguard-go | RTT ms, 10 ms apart | RTT ms, 1 ms apart |")
print("|---|---|---|---|---|---|---|")
for name, one, four, rtt10, rtt1 in rows:
    print(f"| {name} | {one} | {float(one) / float(wg[1]):.1f} | {four} | {float(four) / float(wg[2]):.1f} | {rtt10} | {rtt1} |")
PY
echo
echo
echo "Taltun's engine during its measured runs (both processes; GC.GetTotalAllocatedBytes and CPU time before/after):"
echo
echo "| run | packets | bytes allocated | bytes/packet | CPU s per GB | system calls per MB |"
echo "|---|---|---|---|---|---|"
awk '{ printf "| %s | %d | %d | %.4f | %s | %s |\n", $1, $3, $2, $2 / $3, $4, $5 }' "$WORK/engine"
echo
echo "With offloads: $(sed 's/.*Offloads: //' "$WORK/offloads-taltun")"
if [ -s "$WORK/profile" ]; then
    echo
    echo "Where the CPU went during Taltun's run (perf, all CPUs, self time):"
    echo '```'
    cat "$WORK/profile"
    echo '```'
fi
