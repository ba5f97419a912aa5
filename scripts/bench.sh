#!/bin/sh
# make bench: what a hypervisor call costs, as one table (printed, and written to
# bench-results/STAMP.md and .csv). Every ratio is taken within this one run, from medians.
#   (a) KVM: one more guest's channel up + down (gnt-com-ifup, gnt-com-ifdown; DHCP off)
#       with N channels already up, for each N in $BENCH_SIZES; ratio to a twin namespace
#       with 0 channels, measured alternately with it (twin, N, twin, N)
#   (b) the host's own route lookup: ns per unconnected UDP sendto() to an address routed
#       out a sink interface, with N channels up, alternately against the twin with 0 and a
#       twin with N bare taps and the four shared rules (so: what the guests add, apart from
#       the kernel's own cost of N interfaces, which the hypervisor creates whatever GntCom
#       does, and the rules' fixed cost)
#   (c) Xen: vif-gnt-com online + offline of a routed vif against Xen's own vif-route,
#       same veth, same store (our xenstore server, out/tools/xenstored)
#   (d) the floor: an empty NativeAOT program started twice, against (a) at N=0
#   (e) a burst: $BENCH_BURST guests' gnt-com-ifup all at once, wall time until all are up
#   (f) peak RSS (ru_maxrss, GNU time) of each executable during a typical call
#   (g) instructions (valgrind's callgrind: the same count run after run, whatever else the
#       machine does) of one gnt-com-ifup and one gnt-com-ifdown, and of the empty program
# Everything runs in throwaway network namespaces (the host's own is never touched) and is
# removed on exit, Ctrl-C and SIGTERM included. Needs root, hyperfine and `make` first.
# Populating N channels one by one stops at $BENCH_POPULATE_BUDGET seconds (all sizes
# together): then the last size is measured at the N reached, and larger sizes are not run.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
[ "$(id -u)" = 0 ] || { echo "bench: run as root (network namespaces)" >&2; exit 1; }
for tool in hyperfine valgrind /usr/bin/time xenstore-write /etc/xen/scripts/vif-route out/gnt-com-ifup \
    out/tools/xenstored out/tools/empty out/tools/udp-sendto; do
    command -v "$tool" >/dev/null || [ -x "$tool" ] || { echo "bench: $tool is missing: run 'make bench' as root" >&2; exit 1; }
done
case $root in *[!A-Za-z0-9/._-]*) echo "bench: the checkout's path has unusual characters: $root" >&2; exit 1 ;; esac

sizes=${BENCH_SIZES:-0 100 1000 4000}
budget=${BENCH_POPULATE_BUDGET:-400}
max_runs=${BENCH_RUNS:-200}
burst=${BENCH_BURST:-200}
burst_runs=${BENCH_BURST_RUNS:-3}
out=$root/out
tools=$out/tools

id=$$
kvm=gcbench-kvm-$id      # (a) (b) (d) (f): the KVM host
ref=gcbench-ref-$id      # (a) (b): a twin of the KVM host that keeps 0 channels, measured beside it
bare=gcbench-bare-$id    # (b): a twin with as many taps as the KVM host has channels, none set up, and the 4 shared rules
xen=gcbench-xen-$id      # (c) (f): the Xen dom0 ...
xguest=gcbench-xg-$id    # ... and its guest, behind the veth standing in for netback
bns=gcbench-burst-$id    # (e), one fresh namespace per burst
# Under /run, not /tmp: a world-writable directory on the hooks' path would make GntCom refuse hooks.
work=$(mktemp -d /run/gnt-com-bench.XXXXXX)
chmod 755 "$work"
# GntCom's state on tmpfs, as /run is on Debian (on some VMs /run sits on the root disk,
# where each rename and unlink would cost milliseconds that a node never pays).
state=$(mktemp -d /dev/shm/gnt-com-bench-state.XXXXXX)
chmod 755 "$state"
store_pid=
child=
. scripts/sandbox.sh
cleanup() {
    rc=$?
    trap - EXIT
    trap "" INT TERM   # a second Ctrl-C must not cut the clean-up short
    [ "$rc" = 0 ] || echo "bench: stopped (exit $rc): removing its namespaces and files" >&2
    [ -z "$child" ] || kill -9 "$child" 2>/dev/null || true
    [ -z "$store_pid" ] || kill "$store_pid" 2>/dev/null || true
    for ns in "$kvm" "$ref" "$bare" "$xen" "$xguest" "$bns"; do drop_ns "$ns"; done
    rm -rf "$work" "$state"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { printf 'bench: %s\n' "$*" >&2; }
# Runs a command in the background and waits for it: a signal to this script is then
# handled at once rather than when a long step ends.
waiting() { "$@" & child=$!; rc=0; wait "$child" || rc=$?; child=; return "$rc"; }
fail() { say "$*"; [ ! -s "$work/errors.log" ] || { echo "last errors logged:" >&2; tail -5 "$work/errors.log" >&2; }; exit 1; }

# One row of the table: part, measurement, median, ratio, target, result (tab-separated).
rows=$work/rows
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$rows"; }
ms() { awk -v s="$1" 'BEGIN { printf "%.2f ms", s * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# verdict VALUE <=|>= LIMIT: met or NOT MET
verdict() { awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { ok = op == "<=" ? v <= l : v >= l; print ok ? "met" : "NOT MET" }'; }
# median FILE N: the median (s) of the Nth command of a hyperfine CSV export
median() { awk -F, -v n="$2" 'NR == n + 1 { print $4 }' "$1"; }
# bench CSV NAME CMD [NAME CMD...] in the namespace $ns with the environment $envs
bench() {
    csv=$1; shift
    waiting ip netns exec "$ns" env $envs hyperfine -N --style none --warmup 3 -m 10 -M "$max_runs" \
        --export-csv "$csv" "$@" >/dev/null 2>"$work/hyperfine.log" \
        || { cat "$work/hyperfine.log" >&2; fail "hyperfine failed"; }
}
# rss KEY CMD...: one peak RSS (KiB) of CMD run in $ns with $envs, kept under KEY; the call must succeed
rss() {
    key=$1; shift
    ip netns exec "$ns" env $envs /usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>>"$work/errors.log" || fail "$* failed"
    cat "$work/rss" >> "$work/rss.$key"
}
# rss_row KEY LABEL [reference]: the median of the peak RSS kept under KEY, as a row
rss_row() {
    kib=$(sort -n "$work/rss.$1" | awk "{ v[NR] = \$1 } END { print v[int((NR + 1) / 2)] }")
    mib=$(awk -v k="$kib" 'BEGIN { printf "%.1f MiB", k / 1024 }')
    if [ "${3:-}" = reference ]; then row "(f) peak RSS" "$2" "$mib" "" "" ""
    else row "(f) peak RSS" "$2" "$mib" "" "< 16 MiB" "$(verdict "$kib" "<=" 16383)"; fi
}

mkdir -p bench-results
for part in kvm ref xen burst; do
    printf 'state_dir = %s/%s\nhooks_dir = %s/hooks\nsyslog_socket = off\ndhcp = off\n' "$state" "$part" "$work" > "$work/$part.conf"
done
export BENCH_ERRORS="$work/errors.log"
: > "$rows"
: > "$BENCH_ERRORS"
started=$(date +%s)

# ---- (c) Xen: a routed vif (no vifname, store ip = a routable address), vif-route vs ours
say "(c) Xen: vif-route and vif-gnt-com, online + offline of vif5.0"
ip netns add "$xen"
ip netns add "$xguest"
ip -n "$xen" link set lo up
ip -n "$xen" tuntap add dev eth1 mode tap           # dom0's routing interface (netdev)
ip -n "$xen" addr add 192.0.2.1/24 dev eth1
ip -n "$xen" link set eth1 up
ip -n "$xen" link add vif5.0 type veth peer name eth0 netns "$xguest"
ip -n "$xguest" link set eth0 address 00:16:3e:00:05:00
sock=$work/xenstored.socket
ip netns exec "$xen" "$tools/xenstored" "$sock" &
store_pid=$!
i=0
until XENSTORED_PATH=$sock xenstore-read / >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 100 ] || fail "our xenstore server did not start"; sleep 0.05
done
b=backend/vif/5/0
XENSTORED_PATH=$sock xenstore-write $b/mac 00:16:3e:00:05:00 $b/ip 10.9.0.5 $b/hotplug-status "" \
    $b/script /etc/xen/scripts/vif-route
ns=$xen
envs="vif=vif5.0 XENBUS_PATH=$b XENBUS_TYPE=vif XENSTORED_PATH=$sock netdev=eth1 GNT_COM_CONF=$work/xen.conf"
vifroute="/etc/xen/scripts/vif-route online type_if=vif && /etc/xen/scripts/vif-route offline type_if=vif"
ours="$out/vif-gnt-com online type_if=vif && $out/vif-gnt-com offline type_if=vif"
# Each does the same work once, checked, before it is timed.
for script in /etc/xen/scripts/vif-route "$out/vif-gnt-com"; do
    XENSTORED_PATH=$sock xenstore-write $b/hotplug-status ""
    ip netns exec "$ns" env $envs "$script" online type_if=vif 2>>"$work/errors.log" || fail "$script online failed"
    ip -n "$xen" route show 10.9.0.5 | grep -q 'dev vif5.0' || fail "$script online did not route 10.9.0.5 to vif5.0"
    [ "$(XENSTORED_PATH=$sock xenstore-read $b/hotplug-status)" = connected ] || fail "$script online did not write hotplug-status=connected"
    ip netns exec "$ns" env $envs "$script" offline type_if=vif 2>>"$work/errors.log" || fail "$script offline failed"
    ! ip -n "$xen" route show 10.9.0.5 | grep -q . || fail "$script offline left the route to 10.9.0.5"
done
bench "$work/xen.csv" -n "vif-route" "sh -c '$vifroute >/dev/null 2>&1'" -n "vif-gnt-com" "sh -c '$ours 2>/dev/null'"
xr=$(median "$work/xen.csv" 1)
xo=$(median "$work/xen.csv" 2)
speedup=$(ratio "$xr" "$xo")
row "(c) Xen" "Xen's vif-route online + offline (routed vif)" "$(ms "$xr")" "" "" ""
row "(c) Xen" "vif-gnt-com online + offline (same vif, same store)" "$(ms "$xo")" "${speedup}x faster" ">= 12x" "$(verdict "$speedup" ">=" 12)"
for k in 1 2 3; do
    rss vifonline "$out/vif-gnt-com" online type_if=vif
    rss vifoffline "$out/vif-gnt-com" offline type_if=vif
done
rss_row vifonline "vif-gnt-com online (routed vif)"
rss_row vifoffline "vif-gnt-com offline (routed vif)"

# ---- the KVM host and its twin: a sink for (b), then N = 0
sink_in() { # NS: (b)'s sink, a dummy interface when the kernel has the module, else a tap
    # nobody reads (the kernel drops what it sends), without ARP or a queue, as a dummy is.
    if ! ip -n "$1" link add bsink type dummy 2>/dev/null; then
        ip -n "$1" tuntap add dev bsink mode tap
        ip -n "$1" link set bsink arp off
        tc -n "$1" qdisc replace dev bsink root noqueue
        sink="a tap nobody reads (no dummy module here)"
    else
        sink="a dummy interface"
    fi
    ip -n "$1" addr add 10.200.0.1/24 dev bsink
    ip -n "$1" link set bsink up
}
for h in "$kvm" "$ref" "$bare"; do
    ip netns add "$h"
    ip -n "$h" link set lo up
    sink_in "$h"
done
# The bare twin carries the isolation's four shared rules from the start, as a host with
# one channel does: (b) against it is what each further guest adds, against the plain twin
# it is everything (the rules' fixed cost and the kernel's own per-interface cost included).
ip -n "$bare" rule add pref 16923 nop
ip -n "$bare" rule add pref 16920 iif lo goto 16923
ip -n "$bare" rule add pref 16921 from 169.254.0.0/16 prohibit
ip -n "$bare" rule add pref 16922 to 169.254.0.0/16 prohibit
sendto() { # NS: (b): the median ns per packet there, now (on one CPU: less scheduling noise)
    waiting ip netns exec "$1" taskset -c "$(($(nproc) - 1))" "$tools/udp-sendto" 10.200.0.2 9 5 > "$work/sendto" 2>>"$work/errors.log" \
        || fail "udp-sendto failed"
    cat "$work/sendto"
}
# sendto_vs_twins: "REF BARE KVM", the medians of 7 rounds alternating between the twin
# with 0 channels, the twin with as many bare taps as the KVM host has channels, and the
# KVM host, so that drift of the machine weighs on all alike.
sendto_vs_twins() {
    for h in ref bare kvm; do : > "$work/sendto.$h"; done
    for round in 1 2 3 4 5 6 7; do
        sendto "$ref" >> "$work/sendto.ref"
        sendto "$bare" >> "$work/sendto.bare"
        sendto "$kvm" >> "$work/sendto.kvm"
    done
    for h in ref bare kvm; do printf '%s ' "$(sort -n "$work/sendto.$h" | sed -n 4p)"; done
    echo
}

ns=$kvm
envs="GNT_COM_CONF=$work/kvm.conf"
ifup=$out/gnt-com-ifup
ifdown=$out/gnt-com-ifdown
cycle() { # N: the one more guest's up + down, on the tap gnt.com.N
    printf "sh -c 'IP=169.254.250.1 MAC=52:54:00:aa:00:01 %s gnt.com.%s 2>/dev/null && %s gnt.com.%s 2>/dev/null'" \
        "$ifup" "$1" "$ifdown" "$1"
}
measure_tap() { # N: creates the measured guest's tap and checks one cycle on it
    ip -n "$kvm" link show "gnt.com.$1" >/dev/null 2>&1 && fail "gnt.com.$1 exists already: the populated channels are not gnt.com.0..$(($1 - 1))"
    ip -n "$kvm" tuntap add dev "gnt.com.$1" mode tap
    ip netns exec "$kvm" env $envs IP=169.254.250.1 MAC=52:54:00:aa:00:01 "$ifup" "gnt.com.$1" 2>>"$work/errors.log" \
        || fail "gnt-com-ifup gnt.com.$1 failed with $1 channels up"
    ip -n "$kvm" route show 169.254.250.1 | grep -q "dev gnt.com.$1" || fail "gnt-com-ifup gnt.com.$1 did not route the guest"
    ip netns exec "$kvm" env $envs "$ifdown" "gnt.com.$1" 2>>"$work/errors.log" || fail "gnt-com-ifdown gnt.com.$1 failed"
    ! ip -n "$kvm" route show 169.254.250.1 | grep -q . || fail "gnt-com-ifdown gnt.com.$1 left the guest's route"
}

say "(b) sendto with 0 channels up, through $sink"
set -- $(sendto_vs_twins)
row "(b) route lookup" "sendto(), unconnected UDP, 0 channels up (the twin: $1 ns)" "$3 ns/packet" "$(ratio "$3" "$1")x twin" "" ""

say "(a)(d) KVM up + down at N=0, and the floor"
measure_tap 0
ip -n "$ref" tuntap add dev gnt.com.0 mode tap
bench "$work/n0.csv" -n "floor" "sh -c '$tools/empty; $tools/empty'" -n "N=0" "$(cycle 0)"
floor=$(median "$work/n0.csv" 1)
c0=$(median "$work/n0.csv" 2)
row "(a) KVM" "up + down of one guest, N=0 channels up" "$(ms "$c0")" "1.00x N=0" "" ""
f=$(ratio "$c0" "$floor")
row "(d) floor" "empty NativeAOT program, started twice" "$(ms "$floor")" "" "" ""
row "(d) floor" "KVM up + down at N=0 against the floor" "$(ms "$c0")" "${f}x floor" "<= 1.5x" "$(verdict "$f" "<=" 1.5)"

say "(f) peak RSS of each executable"
for k in 1 2 3; do
    rss ifup env IP=169.254.250.1 MAC=52:54:00:aa:00:01 "$ifup" gnt.com.0
    rss status "$out/gnt-com" status
    rss ifdown "$ifdown" gnt.com.0
    rss empty "$tools/empty"
done
rss_row ifup "gnt-com-ifup (first channel)"
rss_row ifdown "gnt-com-ifdown (last channel)"
rss_row status "gnt-com status (1 channel up)"
rss_row empty "empty NativeAOT program (for reference)" reference

say "(g) instructions of one up and one down (callgrind)"
# insns CMD...: the instructions callgrind counts for CMD in $ns with $envs (the call must succeed)
insns() {
    ip netns exec "$ns" env $envs valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" >/dev/null 2>"$work/callgrind.log" \
        || { cat "$work/callgrind.log" >&2; fail "$* failed under callgrind"; }
    sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$work/callgrind.log"
}
gi_up=$(insns env IP=169.254.250.1 MAC=52:54:00:aa:00:01 "$ifup" gnt.com.0)
gi_down=$(insns "$ifdown" gnt.com.0)
gi_empty=$(insns "$tools/empty")
row "(g) instructions" "gnt-com-ifup, a tap with no channel up (DHCP off)" "$gi_up" "$(ratio "$gi_up" "$gi_empty")x empty" "" ""
row "(g) instructions" "gnt-com-ifdown of it" "$gi_down" "$(ratio "$gi_down" "$gi_empty")x empty" "" ""
row "(g) instructions" "empty NativeAOT program (for reference)" "$gi_empty" "" "" ""
ip -n "$kvm" link del gnt.com.0

# ---- (e) a burst of guests started at once
times=
failures=0
r=0
while [ $r -lt "$burst_runs" ]; do
    r=$((r + 1))
    say "(e) burst $r/$burst_runs: $burst gnt-com-ifup at once"
    ip netns add "$bns"
    ip -n "$bns" link set lo up
    i=0
    while [ $i -lt "$burst" ]; do echo "tuntap add dev bt$i mode tap"; i=$((i + 1)); done > "$work/taps"
    ip -n "$bns" -batch "$work/taps"
    : > "$work/failed"
    waiting ip netns exec "$bns" env GNT_COM_CONF="$work/burst.conf" sh scripts/bench/guests.sh at-once "$ifup" 0 "$burst" "$work/failed" > "$work/burst.ms" \
        || fail "the burst failed"
    up=$(ip -n "$bns" -4 route show proto static | grep -c 'dev gnt\.com\.' || true)
    failures=$((failures + burst - up))
    times="$times $(cat "$work/burst.ms")"
    ip netns del "$bns"
    rm -rf "$state/burst"
done
bm=$(printf '%s\n' $times | sort -n | sed -n "$(((burst_runs + 1) / 2))p")
row "(e) burst" "$burst guests' gnt-com-ifup at once, until all are up (median of $burst_runs)" "$bm ms" \
    "$(awk -v t="$bm" -v n="$burst" 'BEGIN { printf "%.1f ms/guest", t / n }')" "all up" \
    "$([ "$failures" = 0 ] && echo met || echo "NOT MET: $failures not up")"

# ---- (a) and (b) with N channels up
have=0
reached_all=yes
stopped=
deadline=$(($(date +%s) + budget))
for n in $sizes; do
    [ "$n" -gt 0 ] || continue
    if [ "$reached_all" = no ]; then
        row "(a) KVM" "up + down of one guest, N=$n channels up" "not run" "" "<= 1.3x" "not measured (populating too slow)"
        continue
    fi
    say "(a)(b) populating to N=$n (budget left: $((deadline - $(date +%s))) s)"
    i=$have
    while [ $i -lt "$n" ]; do echo "tuntap add dev bt$i mode tap"; i=$((i + 1)); done > "$work/taps"
    ip -n "$kvm" -batch "$work/taps"
    t0=$(date +%s)
    waiting ip netns exec "$kvm" env $envs sh scripts/bench/guests.sh one-by-one "$ifup" "$have" "$n" "$deadline" > "$work/have" \
        || fail "populating failed"
    have=$(cat "$work/have")
    label="N=$have channels up"
    if [ "$have" -lt "$n" ]; then
        reached_all=no
        label="N=$have channels up (populating stopped at the budget, on the way to $n)"
        say "populating reached $have of $n in $(($(date +%s) - t0)) s: measuring there"
    fi
    say "(a)(b) measuring at N=$have, beside the twin with 0"
    measure_tap "$have"
    # Alternating: twin, N, twin, N; the ratio of the sums of medians.
    for round in 1 2; do
        ns=$ref envs="GNT_COM_CONF=$work/ref.conf"
        bench "$work/ref$have.$round.csv" -n "twin N=0" "$(cycle 0)"
        ns=$kvm envs="GNT_COM_CONF=$work/kvm.conf"
        bench "$work/n$have.$round.csv" -n "N=$have" "$(cycle "$have")"
    done
    r0=$(awk -v a="$(median "$work/ref$have.1.csv" 1)" -v b="$(median "$work/ref$have.2.csv" 1)" 'BEGIN { print a + b }')
    c=$(awk -v a="$(median "$work/n$have.1.csv" 1)" -v b="$(median "$work/n$have.2.csv" 1)" 'BEGIN { print a + b }')
    x=$(ratio "$c" "$r0")
    row "(a) KVM" "up + down of one guest, $label" "$(ms "$(awk -v c="$c" 'BEGIN { print c / 2 }')")" "${x}x N=0 twin" "<= 1.3x" "$(verdict "$x" "<=" 1.3)"
    # The bare twin gets as many taps as the KVM host has channels (created, never set up):
    # the kernel's own cost of that many interfaces, which is the hypervisor's, not GntCom's.
    i=$(ip -n "$bare" -o link show | grep -c ' bt' || true)
    while [ "$i" -lt "$have" ]; do echo "tuntap add dev bt$i mode tap"; i=$((i + 1)); done > "$work/bare-taps"
    ip -n "$bare" -batch "$work/bare-taps"
    set -- $(sendto_vs_twins)
    x=$(ratio "$3" "$1")
    row "(b) route lookup" "sendto(), unconnected UDP, $label, against 0 channels (the twin: $1 ns)" "$3 ns/packet" "${x}x 0 channels" "<= 1.1x" "$(verdict "$x" "<=" 1.1)"
    x=$(ratio "$3" "$2")
    row "(b) route lookup" "sendto(), unconnected UDP, $label, against $have bare taps + the 4 shared rules (the twin: $2 ns)" "$3 ns/packet" "${x}x per guest" "<= 1.1x" "$(verdict "$x" "<=" 1.1)"
    ip -n "$kvm" link del "gnt.com.$have"
done
[ "$reached_all" = yes ] || stopped="Populating was stopped at the budget (BENCH_POPULATE_BUDGET=$budget s) at N=$have: per-call cost grows with N."

# ---- the table: printed, and written as Markdown and CSV
stamp=$(date -u +%Y%m%dT%H%M%SZ)
md=bench-results/$stamp.md
csv=bench-results/$stamp.csv
{
    printf 'part\tmeasurement\tmedian\tratio\ttarget\tresult\n'
    sort -s -t "$(printf '\t')" -k1,1 "$rows"
} > "$work/table"
awk -F'\t' '{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR }
    END {
        for (r = 1; r <= n; r++) {
            line = "|"
            for (i = 1; i <= 6; i++) line = line sprintf(" %-" w[i] "s |", cell[r, i])
            print line
            if (r == 1) { line = "|"; for (i = 1; i <= 6; i++) { d = ""; for (k = 0; k < w[i] + 2; k++) d = d "-"; line = line d "|" } print line }
        }
    }' "$work/table" > "$work/table.md"
awk -F'\t' '{ for (i = 1; i <= NF; i++) { v = $i; if (v ~ /[",]/) { gsub(/"/, "\"\"", v); v = "\"" v "\"" } printf "%s%s", v, i < NF ? "," : "\n" } }' \
    "$work/table" > "$csv"
{
    echo "# GntCom benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Machine: $(nproc) cores, Linux $(uname -r); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
    echo "Medians of hyperfine runs (3 warm-ups, 10 to $max_runs runs); (b) sink: $sink;"
    echo "BENCH_SIZES=\"$sizes\", BENCH_POPULATE_BUDGET=$budget s; took $(($(date +%s) - started)) s."
    [ -z "$stopped" ] || echo "$stopped"
    echo
    cat "$work/table.md"
} > "$md"
echo
cat "$md"
echo
echo "Written: $md and $csv"
