# Sourced by the latency benches: two network namespaces joined by one veth pair, and the floor
# relay (bench/floor-relay.c) between them. Only addresses inside these namespaces are used.

# Creates namespaces $1 and $2 joined by veth $3-a/$3-b: 10.97.0.1 in $1, 10.97.0.2 in $2.
veth_pair() { # namespace-a namespace-b veth-prefix
    ip netns add "$1"
    ip netns add "$2"
    ip -n "$1" link set lo up
    ip -n "$2" link set lo up
    ip link add "$3-a" netns "$1" type veth peer name "$3-b" netns "$2"
    ip -n "$1" address add 10.97.0.1/24 dev "$3-a"
    ip -n "$2" address add 10.97.0.2/24 dev "$3-b"
    ip -n "$1" link set "$3-a" up
    ip -n "$2" link set "$3-b" up
}

# Builds the floor relay into $1 (installing a C compiler if there is none).
build_floor_relay() { # output-file
    if ! command -v cc >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc libc6-dev >/dev/null
    fi
    cc -O2 -o "$1" bench/floor-relay.c
}

# Runs the floor relay between the namespaces of veth_pair (UDP port 9300, tunnel addresses
# 10.0.2.1 in $2 and 10.0.2.2 in $3, interface $4 in both), adds both pids to PIDS, and waits
# until an echo crosses it.
start_floor_relay() { # relay-binary namespace-a namespace-b interface
    ip netns exec "$2" "$1" "$4" 9300 10.97.0.2 9300 &
    PIDS+=($!)
    ip netns exec "$3" "$1" "$4" 9300 10.97.0.1 9300 &
    PIDS+=($!)
    for _ in $(seq 50); do
        ip -n "$2" link show "$4" >/dev/null 2>&1 && ip -n "$3" link show "$4" >/dev/null 2>&1 && break
        sleep 0.1
    done
    ip -n "$2" address add 10.0.2.1/24 dev "$4"
    ip -n "$2" link set "$4" mtu 1420 up
    ip -n "$3" address add 10.0.2.2/24 dev "$4"
    ip -n "$3" link set "$4" mtu 1420 up
    ip netns exec "$3" ping -c 3 -i 0.2 -W 2 10.0.2.1 >/dev/null
}

# For a script's EXIT trap: closes the hold pipe (descriptor 7), stops every process in PIDS
# (SIGTERM, then SIGKILL after 5 s), and deletes namespaces $1 and $2. A second Ctrl-C does not
# cut it short.
stop_two_namespaces() { # namespace-a namespace-b
    trap '' INT TERM
    exec 7>&-
    local pid alive
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for _ in $(seq 50); do
        alive=0
        for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.1
    done
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    if ((${#PIDS[@]})); then wait "${PIDS[@]}" 2>/dev/null || true; fi
    ip netns delete "$1" 2>/dev/null || true
    ip netns delete "$2" 2>/dev/null || true
}
