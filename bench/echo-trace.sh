#!/usr/bin/env bash
# Where one echo's round trip goes, traced with the kernel's scheduler and system-call events:
# for Taltun and for the floor relay (bench/floor-relay.c: no encryption, no protocol), echoes
# 10 ms apart and 1 ms apart: the median echo's time from ping's send to ping's receive, and the
# medians of the time in the tunnel processes' own code (user), in their system calls (kernel,
# with the delivery work the kernel does inside them), and the rest (ping, the kernel's work
# outside those calls, scheduling). Per system call and per stretch of user code between two
# calls, at each end, the medians at both spacings: how much slower the same work runs after the
# machine sat idle for 10 ms. Only addresses inside the two network namespaces this script
# creates (and deletes, also on failure) are used. The tracing itself slows every system call and
# switch a little: compare rows of one run.
#
#   sudo bench/echo-trace.sh [echoes per spacing, default 300]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/two-namespaces.sh
. bench/two-namespaces.sh

ECHOES="${1:-300}"
A="etA-$$"
B="etB-$$"
WORK="$(mktemp -d)"
PIDS=()

cleanup() {
    stop_two_namespaces "$A" "$B"
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

scripts/install-prerequisites.sh >/dev/null
if ! command -v perf >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends linux-perf >/dev/null
fi
dotnet publish bench/Taltun.BenchHost -c Release -o "$WORK/host" >/dev/null
build_floor_relay "$WORK/floor-relay"

veth_pair "$A" "$B" etv

keyA="$(wg genkey)"; keyB="$(wg genkey)"
echo "$keyA" >"$WORK/a.key"; echo "$keyB" >"$WORK/b.key"
mkfifo "$WORK/hold"
exec 7<>"$WORK/hold"
ip netns exec "$A" "$WORK/host/Taltun.BenchHost" --name et0 --key "$WORK/a.key" --address 10.0.10.1/24 \
    --listen 0.0.0.0:9100 --peer "$(echo "$keyB" | wg pubkey)" --allowed 10.0.10.2/32 <"$WORK/hold" >"$WORK/a.out" 2>&1 &
PIDS+=($!)
ip netns exec "$B" "$WORK/host/Taltun.BenchHost" --name et0 --key "$WORK/b.key" --address 10.0.10.2/24 \
    --listen 0.0.0.0:9100 --peer "$(echo "$keyA" | wg pubkey)" --allowed 10.0.10.1/32 --endpoint 10.97.0.1:9100 <"$WORK/hold" >"$WORK/b.out" 2>&1 &
PIDS+=($!)
start_floor_relay "$WORK/floor-relay" "$A" "$B" etfloor
for _ in $(seq 100); do [ "$(grep -l ready "$WORK/a.out" "$WORK/b.out" 2>/dev/null | wc -l)" = 2 ] && break; sleep 0.2; done
if ! ip netns exec "$B" ping -c 3 -i 0.2 -W 2 10.0.10.1 >/dev/null; then
    echo "The Taltun pair did not come up; its output:" >&2
    cat "$WORK/a.out" "$WORK/b.out" >&2
    exit 1
fi

trace() { # name address interval pid-of-A pid-of-B
    ip netns exec "$B" ping -q -c 2000 -i 0.002 "$2" >/dev/null  # warm: tiered compilation done
    sleep 1
    # perf's own warnings (lost events above all) stay on stderr.
    perf record -q -a -e sched:sched_switch,raw_syscalls:sys_enter,raw_syscalls:sys_exit -o "$WORK/trace.data" -- \
        ip netns exec "$B" ping -q -c "$ECHOES" -i "$3" "$2" >/dev/null
    perf script --ns -i "$WORK/trace.data" -F comm,pid,tid,time,event,trace 2>&1 >"$WORK/$1-$3.txt" \
        | { grep -v "not valid for" || true; } >&2
    echo "$1 $3 $4 $5 $WORK/$1-$3.txt" >>"$WORK/traces"
}
for interval in 0.01 0.001; do
    trace taltun 10.0.10.1 "$interval" "${PIDS[0]}" "${PIDS[1]}"
    trace floor 10.0.2.1 "$interval" "${PIDS[2]}" "${PIDS[3]}"
done

echo "## Echo trace — $(date -u +%Y-%m-%d), $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
echo
echo "Command: \`sudo bench/echo-trace.sh $ECHOES\` ($ECHOES echoes per path and spacing; medians over the echoes, µs)"
echo
python3 - "$WORK/traces" <<'PY'
import re, statistics, sys
from collections import defaultdict

NAMES = {"0": "read", "1": "write", "44": "sendto", "45": "recvfrom", "47": "recvmsg", "232": "epoll_wait", "299": "recvmmsg", "307": "sendmmsg"}
EVENT = re.compile(r"^\s*(.+?)\s+(\d+)/(\d+)\s+([\d.]+):\s+(\S+):\s+(.*)$")


class Thread:
    def __init__(self, t):
        self.on_cpu, self.since = True, t
        self.call = None       # (name, entered) while in a system call
        self.slept = False     # the call slept or was preempted: not pure kernel time
        self.after = None      # (step name, since) while running user code after a call


def analyse(path, answering, pinging):
    """Per echo (ping's send to its receive): duration, tunnel user and kernel time; per step: durations."""
    side = {answering: "A", pinging: "B"}
    echoes, steps, threads = [], defaultdict(list), {}
    window, spent, ping = None, {"user": 0.0, "kernel": 0.0}, None

    def account(thread, t):
        if thread.on_cpu and window is not None:
            spent["kernel" if thread.call else "user"] += t - thread.since
        thread.since = t

    for line in open(path):
        m = EVENT.match(line)
        if not m:
            continue
        comm, pid, tid, t, event, rest = m.groups()
        t = float(t) * 1e6
        if event == "sched:sched_switch":
            prev, nxt = re.search(r"prev_pid=(\d+)", rest).group(1), re.search(r"next_pid=(\d+)", rest).group(1)
            if prev in threads:
                thread = threads[prev]
                account(thread, t)
                thread.on_cpu = False
                if thread.call:
                    thread.slept = True
                else:
                    thread.after = None  # user code cut by a switch is not one step
            if nxt in threads:
                threads[nxt].on_cpu, threads[nxt].since = True, t
            continue
        number = rest.split()[1]
        if comm.strip() == "ping" and ping in (None, pid):
            ping = pid
            if event == "raw_syscalls:sys_enter" and number == "44":
                window, spent = t, {"user": 0.0, "kernel": 0.0}
            elif event == "raw_syscalls:sys_exit" and number == "47" and not rest.rstrip().endswith("-11") and window is not None:
                echoes.append((t - window, spent["user"], spent["kernel"]))
                window = None
            continue
        if pid not in side:
            continue
        thread = threads.setdefault(tid, Thread(t))
        account(thread, t)
        name = NAMES.get(number, "syscall " + number)
        if event == "raw_syscalls:sys_enter":
            if thread.after:
                steps[f"{side[pid]} user: {thread.after[0]} → {name}"].append(t - thread.after[1])
            thread.call, thread.slept, thread.after = (name, t), False, None
        elif thread.call:
            label = name + (" (nothing waiting)" if rest.split("=")[-1].strip().startswith("-") else "")
            if not thread.slept:
                steps[f"{side[pid]} kernel: {label}"].append(t - thread.call[1])
            thread.call, thread.after = None, (label, t)
    return echoes, steps


traces = [line.split() for line in open(sys.argv[1])]
results = {(name, interval): analyse(path, a, b) for name, interval, a, b, path in traces}
print("| path | spacing | echo, send to receive | tunnel code (user) | tunnel system calls (kernel) | the rest |")
print("|---|---|---|---|---|---|")
for (name, interval), (echoes, _) in results.items():
    w, u, k, r = (statistics.median(part) for part in zip(*((e[0], e[1], e[2], e[0] - e[1] - e[2]) for e in echoes)))
    print(f"| {name} | {float(interval) * 1000:g} ms | {w:.0f} | {u:.0f} | {k:.0f} | {r:.0f} |")
print()
print("Each column is a median over the echoes of its own (a row need not add up). Tunnel time is")
print("added up over the threads of both tunnel processes; its system calls include the kernel's")
print("work inside them (the receiving end's UDP input inside a send, the echo reply inside a write).")
print()
print("Each step of the tunnel threads seen in at least half the echoes, at the end that answers")
print("the echo (A) or the end that pings (B); median µs. A system call during which the thread")
print("slept or was preempted is left out, and so is every epoll_wait:")
print()
print("| path | step | 10 ms apart | 1 ms apart | ratio |")
print("|---|---|---|---|---|")
for name in dict.fromkeys(n for n, _ in results):
    cold, warm = results[(name, "0.01")][1], results[(name, "0.001")][1]
    echoes = len(results[(name, "0.01")][0])
    for step in sorted(cold, key=lambda s: -statistics.median(cold[s]) * len(cold[s])):
        if len(cold[step]) < echoes / 2 or step not in warm or step.endswith("kernel: epoll_wait"):
            continue
        c, h = statistics.median(cold[step]), statistics.median(warm[step])
        print(f"| {name} | {step} | {c:.1f} | {h:.1f} | {c / h:.1f}× |")
PY
