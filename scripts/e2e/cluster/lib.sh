# lib.sh: the cluster part's helpers and facts, sourced by run.sh (and scenario.sh through it).
# shellcheck shell=bash disable=SC2034  # (variables used by run.sh and scenario.sh)

# ---------------------------------------------------------------- per-release facts
# What depends on the Debian release / Ganeti version. Debian 12 / Ganeti 3.0.2 here; a
# per-release facts file may set any of them before this file is sourced.
: "${CLUSTER_RELEASE:=bookworm}"                  # the node image's Debian release (a label: the image is ganeti/build-image.sh's)
: "${CLUSTER_GANETI:=3.0.2}"                      # what the image's ganeti package is (checked)
: "${CLUSTER_UDEVD:=/lib/systemd/systemd-udevd}"
: "${CLUSTER_UDEV_RULES:=/usr/lib/udev/rules.d}"  # where udev's own rules are (80-net-setup-link.rules)
: "${CLUSTER_KVM_HV:=}"                           # extra KVM hypervisor parameters (Ganeti 3.1: vhost_net=false)
: "${CLUSTER_KVM_CTRL:=/var/run/ganeti/kvm-hypervisor/ctrl}"  # NAME.kvmd: the QMP socket nobody uses without kvmd
: "${CLUSTER_KVM_PID:=/var/run/ganeti/kvm-hypervisor/pid}"    # NAME: qemu's pid
# qemu's TCG for the guests (kvm_extra): Debian 12's qemu 7.2 with multi-threaded TCG (its
# default) loses guest memory writes in about one live migration in six (the guest then
# reports "BUG: Bad page map", "kernel BUG at lib/list_debug.c", soft lockups, or panics
# and reboots): plain qemu, no Ganeti, chains of live migrations of this part's guest with
# Ganeti's parameters: 5 of 30 with its default, 0 of 42 with single-threaded TCG (tools/
# tcg-migration.py measures it: run it to tell whether another release needs this). The
# guests have one vCPU: one thread costs them nothing.
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
on() {
  local n=${1#node}; shift
  nsenter -t "${NODE_PID[$n]}" -m -u -i -n -p 9>&- \
    chroot "${NODE_ROOT[$n]}" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 TERM=dumb "$@"
}
# ns N CMD...: CMD in node N's namespaces, outside its root (mounts over it)
ns() { local n=${1#node}; shift; nsenter -t "${NODE_PID[$n]}" -m -u -i -n -p "$@" 9>&-; }
# path N FILE: node N's FILE as seen from here (through its mount namespace); an absolute
# symbolic link on the way (/var/run -> /run) would lead out of the node: read those with on
# N cat FILE
path() { echo "/proc/${NODE_PID[${1#node}]}/root${NODE_ROOT[${1#node}]}$2"; }
