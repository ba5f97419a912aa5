# Sourced by scripts/demo.sh and scripts/bench.sh: throwaway network namespaces.
# drop_ns NS: kills every process in NS, again until none is left (one that was killed may
# just have started dnsmasq), then removes NS.
drop_ns() {
    for try in 1 2 3 4 5 6 7 8 9 10; do
        pids=$(ip netns pids "$1" 2>/dev/null) || break
        [ -n "$pids" ] || break
        # shellcheck disable=SC2086
        kill -9 $pids 2>/dev/null || true
        sleep 0.1
    done
    ip netns del "$1" 2>/dev/null || true
}
