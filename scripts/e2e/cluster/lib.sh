# lib.sh: the cluster part's helpers and facts, sourced by run.sh (and scenario.sh through it).
# shellcheck shell=bash disable=SC2034  # (variables used by run.sh and scenario.sh)

# ---------------------------------------------------------------- facts
# What differs between releases is scripts/e2e/releases.sh's (run.sh sources it: E2E_GANETI,
# E2E_RELEASE_NAME); these hold on both.
: "${CLUSTER_UDEVD:=/lib/systemd/systemd-udevd}"   # merged /usr on both: /lib is usr/lib
: "${CLUSTER_UDEV_RULES:=/usr/lib/udev/rules.d}"  # where udev's own rules are (80-net-setup-link.rules)
# Ganeti 3.1 defaults vhost_net to True, which needs /dev/vhost-net (the nodes have none):
# false on both, 3.0.2's default (as the ganeti part does)
: "${CLUSTER_KVM_HV:=vhost_net=false}"
: "${CLUSTER_KVM_CTRL:=/var/run/ganeti/kvm-hypervisor/ctrl}"  # NAME.kvmd: the QMP socket nobody uses without kvmd
: "${CLUSTER_KVM_PID:=/var/run/ganeti/kvm-hypervisor/pid}"    # NAME: qemu's pid
# Live migration under TCG (no KVM here) loses guest memory writes: Debian 12's qemu 7.2
# clears a page's dirty bit, then re-arms the vCPU TLB's write tracking
# (cpu_physical_memory_sync_dirty_bitmap, then tlb_reset_dirty_range_all); a guest write in
# between is lost when the page was already sent. The guest then shows "BUG: Bad page map",
# "kernel BUG at lib/list_debug.c", a double fault, or just stops answering. Every sync of
# the dirty bitmap while the guest runs risks it. tools/tcg-migration.py (plain qemu, no
# Ganeti, chains of live migrations of this part's guest, its probes answered) measured,
# in migrations that corrupted the guest:
#   Ganeti's defaults (30 ms downtime limit, 32 MiB/s), multi-threaded TCG    5 of 30
#     (without the probes' traffic)
#   the same, single-threaded TCG      0 of 42 without traffic; with it, the 26th of 30
#   single-threaded, 10000 ms downtime limit, 32 MiB/s                       0 of 90
# A 10 s limit lets qemu sync once, early (about 3 MB sent), and copy the rest with the
# guest stopped: still Ganeti's live migration, but qemu's own downtime is that copy,
# 60-320 ms, instead of 2-8 ms. The guests have one vCPU: one TCG thread costs nothing.
: "${CLUSTER_MIGRATION_DOWNTIME:=10000}"        # Ganeti's kvm migration_downtime (ms), cluster-wide
: "${CLUSTER_QEMU_TCG:=-accel tcg,thread=single}"

# ---------------------------------------------------------------- the cluster's names
# TEST-NET-1, only inside the nodes' namespaces; field 3 is what run.sh calls the node
HOSTS="192.0.2.11	node1.e2e.test node1
192.0.2.12	node2.e2e.test node2
192.0.2.100	cluster.e2e.test cluster"
CLUSTER=cluster.e2e.test
fqdn() { echo "$1.e2e.test"; }
PROBE_PORT=8811           # responder.py on every node: the guests' probes
GAP_LIMIT_MS=1000         # a live migration's "gap after ifup" above this fails

# ---------------------------------------------------------------- results
failed=0
# every result line goes to --results and to the run's own copy
result() { printf '%s\n' "$1" | tee -a "$WORK/results.tsv" >> "$RESULTS"; }
check() {  # check NAME pass|fail DETAIL
  local detail=${3//$'\t'/ }; detail=${detail//$'\n'/ }
  result "$(printf 'CHECK\tcluster: %s\t%s\t%s' "$1" "$2" "$detail")"
  printf 'e2e: cluster: [%3ss] %-4s %s: %s\n' "$SECONDS" "$2" "$1" "$detail" >&2
  [ "$2" = pass ] || failed=1
  # debugging: E2E_CLUSTER_HOLD=SECONDS keeps the nodes as they are at the first failure
  if [ "$2" != pass ] && [ -n "${E2E_CLUSTER_HOLD:-}" ] && [ -z "${held:-}" ]; then
    held=1
    echo "e2e: cluster: holding for $E2E_CLUSTER_HOLD s; node1: nsenter -t ${NODE_PID[1]:-?} -m -u -i -n -p chroot ${NODE_ROOT[1]:-?}; node2: nsenter -t ${NODE_PID[2]:-?} -m -u -i -n -p chroot ${NODE_ROOT[2]:-?}" >&2
    sleep "$E2E_CLUSTER_HOLD" & wait $!
  fi
}
timing() {  # timing NAME SECONDS
  result "$(printf 'TIME\tcluster: %s\t%s' "$1" "$2")"
  printf 'e2e: cluster: [%3ss] time %s: %ss\n' "$SECONDS" "$1" "$2" >&2
}
# die STEP WHY: the part cannot go on: one line on stderr, a failing CHECK, exit non-zero
die() {
  echo "e2e: cluster: $1: $2" >&2
  result "$(printf 'CHECK\tcluster: %s\tfail\t%s' "$1" "${2//$'\t'/ }")"
  exit 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }
# poll SECONDS CMD...: true as soon as CMD succeeds, false after SECONDS
poll() {
  local end; end=$(awk -v a="$(now)" -v s="$1" 'BEGIN {printf "%.3f", a + s}'); shift
  while :; do
    "$@" && return 0
    awk -v e="$end" -v n="$(now)" 'BEGIN {exit !(n < e)}' || return 1
    sleep 0.2
  done
}

# ---------------------------------------------------------------- the nodes
# NODE_PID[N]: node N's PID 1 (as this host sees it); NODE_ROOT[N]: its root, mounted in
# its own mount namespace only; NODE_WORK[N]: its ganeti/node.sh work dir
declare -A NODE_PID=() NODE_ROOT=() NODE_WORK=()
# N is 1, 2, node1 or node2.
# (fd 9 is run.sh's lock on the cached image: what runs in a node does not keep it.)
# on N CMD...: CMD in node N (its namespaces, chroot into its root) with a clean environment,
# as Ganeti's own scripts have it
# It runs in the background and is waited for, so that SIGTERM or SIGINT reaches run.sh's
# trap at once (bash runs a trap only once the foreground command is done).
on() {
  local n=${1#node}; shift
  nsenter -t "${NODE_PID[$n]}" -m -u -i -n -p 9>&- \
    chroot "${NODE_ROOT[$n]}" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 TERM=dumb "$@" &
  wait $!
}
# ns N CMD...: CMD in node N's namespaces, outside its root (mounts over it)
ns() { local n=${1#node}; shift; nsenter -t "${NODE_PID[$n]}" -m -u -i -n -p "$@" 9>&-; }
# path N FILE: node N's FILE as seen from here (through its mount namespace); an absolute
# symbolic link on the way (/var/run -> /run) would lead out of the node: read those with on
# N cat FILE
path() { echo "/proc/${NODE_PID[${1#node}]}/root${NODE_ROOT[${1#node}]}$2"; }
