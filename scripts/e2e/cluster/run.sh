#!/bin/bash
# The cluster part of `make e2e`: a real two-node Ganeti cluster (the release's Ganeti:
# 3.0.2 in Debian 12, 3.1.0~rc2 in Debian 13; KVM under qemu TCG) whose diskless instances
# migrate and fail over between the nodes, each node with GntCom's real .deb and
# `gnt-com ganeti enable`.
#
#   scripts/e2e/cluster/run.sh --release N --deb PATH [--cache DIR] [--results FILE]
#                              [--old-deb VERSION=PATH]... [--downgrade-to VERSION]  (as root)
#
# (--old-deb and --downgrade-to are accepted and ignored: the ganeti and xen parts test the
# upgrade.) Each node is the ganeti part's node: its image is the one the ganeti part
# builds and caches for the release, in --cache's sibling directory ganeti (DIR/../ganeti,
# default /var/cache/gnt-com-e2e/debianN/ganeti), built here with the same stamp when
# absent or stale; --cache itself is unused. ganeti/node.sh mounts a throwaway
# overlay of it, /proc, /sys, /run, /tmp and its own /dev in new mount, UTS, network, PID
# and IPC namespaces), made into node N by node.sh. The two nodes share one link (a veth
# pair between their network namespaces: eth0 on both) and one directory (/srv/cluster in
# both: the tools, the guests' initrd, the probes' records). This script drives both from
# outside with nsenter (lib.sh: on N CMD); scenario.sh runs the steps. Nothing of the host
# changes (network, hostname, /etc, /dev, /root/.ssh).
# Results: tab-separated lines appended to --results (default: stdout):
#   CHECK<TAB>cluster: <what><TAB>pass|fail<TAB><detail>
#   TIME<TAB>cluster: <what><TAB><seconds>
# Exit 0 only if every check passed. A part that cannot start prints one line
# "e2e: cluster: <step>: <why>" on stderr, a failing CHECK, and exits non-zero.
# E2E_KEEP_LOGS=DIR keeps the logs (Ganeti's commands, both nodes' /var/log, syslog, udevd,
# the probes' records, qemu's migration records, the consoles).
#
# Files: node.sh (node N: name, hosts, link, machine-id), scenario.sh (the steps), lib.sh
# (helpers, the per-release facts), guest/ (added to the ganeti part's guest initramfs: the
# probe), tools/ (run inside the nodes with their python3: the probes' responder, syslog,
# qemu's migration record, the figures).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ganeti_dir=$(cd "$here/../ganeti" && pwd)
deb="" release=12 cache="" results=/dev/stdout
while [ $# -gt 0 ]; do
  case "$1" in
    --release) release=$2; shift 2;;
    --deb) deb=$2; shift 2;;
    --cache) cache=$2; shift 2;;
    --results) results=$2; shift 2;;
    --old-deb|--downgrade-to) shift 2;;
    *) echo "usage: $0 --release N --deb PATH [--cache DIR] [--results FILE]" >&2; exit 2;;
  esac
done
cache=$(dirname "${cache:-/var/cache/gnt-com-e2e/debian$release/cluster}")/ganeti
fail_start() {  # fail_start STEP WHY
  echo "e2e: cluster: $1: $2" >&2
  printf 'CHECK\tcluster: %s\tfail\t%s\n' "$1" "$2" >> "$results"
  exit 1
}
[ "$(id -u)" = 0 ] || fail_start "setup" "must run as root"
export E2E_RELEASE=$release
# shellcheck source=../releases.sh
. "$here/../releases.sh" || fail_start "setup" "no facts for release '$release' in scripts/e2e/releases.sh"
[ -f "$deb" ] || fail_start "setup" "no .deb at '${deb}' (--deb PATH)"
deb=$(realpath "$deb")
for t in mmdebstrap unshare nsenter chroot ip timeout flock; do
  command -v "$t" > /dev/null || fail_start "setup" "$t is missing (scripts/debian-packages lists it: make deps)"
done
[ -e /dev/net/tun ] || fail_start "setup" "no /dev/net/tun on this host"
t_all=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}'; }

# ---------------------------------------------------------------- clean-up, on any exit
WORK=""
declare -A NODE_GROUP=()      # node N's `timeout`: it leads a process group with unshare in it
# shellcheck disable=SC2317  # run by trap
cleanup() {
  # A node's namespaces die with its PID 1 (unshare --kill-child): every process in them
  # (Ganeti's daemons, qemu, dnsmasq, udevd, sshd, what nsenter started there), the veth
  # pair, the taps, the mounts. unshare ignores SIGTERM and SIGINT while it waits: SIGKILL.
  local g
  for g in "${NODE_GROUP[@]}" ${IMAGE_BUILD:-}; do
    kill -KILL -- "-$g" 2>/dev/null || kill -KILL "$g" 2>/dev/null
  done
  for g in "${NODE_GROUP[@]}" ${IMAGE_BUILD:-}; do wait "$g" 2>/dev/null; done
  if [ -n "$WORK" ] && [ -n "${E2E_KEEP_LOGS:-}" ]; then
    mkdir -p "$E2E_KEEP_LOGS"
    cp -r "$WORK/common/." "$E2E_KEEP_LOGS/" 2>/dev/null
    rm -rf "$E2E_KEEP_LOGS/tools" "$E2E_KEEP_LOGS/guest" "$E2E_KEEP_LOGS"/*.deb "$E2E_KEEP_LOGS"/*.gz
    for g in 1 2; do
      cp -r "$WORK/node$g/upper/var/log" "$E2E_KEEP_LOGS/node$g-var-log" 2>/dev/null
      cp "$WORK/node$g/node.log" "$E2E_KEEP_LOGS/node$g.log" 2>/dev/null
    done
  fi
  [ -n "$WORK" ] && rm -rf "$WORK"
  [ -d "$cache/rootfs.new" ] && rm -rf "$cache/rootfs.new"
}
# shellcheck disable=SC2317  # run by trap
interrupted() {  # a run cut short is a failure, never a silent skip
  printf 'CHECK\tcluster: run\tfail\tinterrupted by SIG%s\n' "$1" >> "$results"
  echo "e2e: cluster: run: interrupted by SIG$1" >&2
  exit "$2"
}
trap cleanup EXIT
trap 'interrupted INT 130' INT
trap 'interrupted TERM 143' TERM

# ---------------------------------------------------------------- the cached node image
# The ganeti part's, for this release (the parts run one after the other or alone; neither
# waits for the other: whichever comes first builds it)
# shellcheck source=../ganeti/image.sh
. "$ganeti_dir/image.sh"
node_image "$cache" cluster "$results" || exit 1

# ---------------------------------------------------------------- the two nodes
WORK=$(mktemp -d /tmp/gnt-com-e2e-cluster.XXXXXX)
RESULTS=$results
# shellcheck source=lib.sh
. "$here/lib.sh"
common=$WORK/common
mkdir -p "$common"
cp -r "$here/tools" "$here/guest" "$common/"
echo "$HOSTS" > "$WORK/hosts"
for n in 1 2; do
  mkdir -p "$WORK/node$n"
  # node N: ganeti/node.sh as PID 1 of new mount, UTS, network, PID and IPC namespaces (it
  # mounts the node's file systems), then our node.sh (E2E_NODE_SHELL) makes it node N.
  # 30 min at most, then SIGKILL: a warm run takes 2.5-3 min (5 when every migration loses
  # the channel for tens of seconds).
  E2E_NODE_SHELL='. "$E2E_CLUSTER_SCRIPT"' E2E_CLUSTER_SCRIPT=$here/node.sh E2E_CLUSTER_NODE=$n \
  E2E_CLUSTER_COMMON=$common E2E_CLUSTER_HOSTS=$WORK/hosts \
    timeout -s KILL 1800 unshare --mount --uts --net --pid --ipc --fork --kill-child \
      --propagation private --mount-proc "$ganeti_dir/node.sh" "$cache/rootfs" "$WORK/node$n" \
      "$WORK/node$n/setup-results.tsv" "$deb" cluster > "$WORK/node$n/node.log" 2>&1 9>&- &
  NODE_GROUP[$n]=$!
  NODE_WORK[$n]=$WORK/node$n
  NODE_ROOT[$n]=$WORK/node$n/root
done
# node_failed N: why node N stopped (its own line, or the ganeti part's "node setup" check)
node_failed() {
  local why
  why=$(grep -h '^e2e: ' "$WORK/node$1/node.log" | tail -n 1)
  [ -n "$why" ] || why=$(cut -f2- "$WORK/node$1/setup-results.tsv" 2>/dev/null | tail -n 1 | tr '\t' ' ')
  echo "${why:-node$1 ended: $(tail -n 2 "$WORK/node$1/node.log" | tr '\n' ' ')}"
}
child_of() { cat "/proc/$1/task/$1/children" 2>/dev/null | awk '{print $1}'; }
for n in 1 2; do
  poll 60 test -e "$WORK/node$n/share/ready" || die "node$n setup" "$(node_failed "$n")"
  # timeout -> unshare -> node.sh, PID 1 of the node's PID namespace
  u=$(child_of "${NODE_GROUP[$n]}"); p=$([ -n "$u" ] && child_of "$u")
  [ -n "$p" ] && [ -d "/proc/$p" ] || die "node$n setup" "no PID 1 under timeout ${NODE_GROUP[$n]}"
  NODE_PID[$n]=$p
done
# the link: a veth pair made in node1's network namespace with its peer in node2's; nothing
# of it ever exists in the host's
nsenter -t "${NODE_PID[1]}" -n ip link add eth0 type veth peer name eth0 netns "${NODE_PID[2]}" \
  || die "link" "cannot make the veth pair between the nodes' network namespaces"
for n in 1 2; do
  poll 30 test -e "$WORK/node$n/share/link-ready" || die "node$n link" "$(node_failed "$n")"
done
# shellcheck source=scenario.sh
. "$here/scenario.sh"
timing "total" "$(elapsed "$t_all")"
# shellcheck disable=SC2154  # (failed: set in lib.sh)
exit "$failed"
