#!/bin/bash
# The Ganeti part of `make e2e`: a real single-node Ganeti cluster (the release's `ganeti`:
# 3.0.2 in Debian 12, 3.1.0~rc2 in Debian 13) with KVM instances under qemu TCG, driving
# GntCom's real .deb; then, for each earlier release of GntCom given, an upgrade under a
# running guest.
#
#   scripts/e2e/ganeti/run.sh --deb PATH [--release 12|13] [--cache DIR] [--results FILE]
#                             [--old-deb VERSION=PATH]... [--downgrade-to VERSION]   (as root)
#
# The node is a Debian root filesystem of the release (scripts/e2e/releases.sh; built once
# by build-image.sh, cached under --cache, default /var/cache/gnt-com-e2e/debian12/ganeti)
# used through chroot in new mount, UTS, network, PID and IPC namespaces with a throwaway
# overlay over it (node.sh): Ganeti is never installed on this host and nothing of the host
# changes (network, hostname, /etc, /dev, /root/.ssh). Each scenario runs in a node of its
# own: scenario.sh (the .deb on a fresh node: the release's lintian, Ganeti's scripts, then
# GntCom, ganeti enable, the life cycle, disable, apt purge), then upgrade.sh once per
# --old-deb (that release installed and enabled, a guest up, the .deb over it; with
# --downgrade-to VERSION, that one back over the .deb; apt purge). Results: tab-separated
# lines appended to --results (default: stdout):
#   CHECK<TAB>ganeti: <what><TAB>pass|fail<TAB><detail>
#   TIME<TAB>ganeti: <what><TAB><seconds>
#   FACT<TAB>ganeti: <what><TAB><value>         (what the release runs: versions)
# Exit 0 only if every check passed. A part that cannot start prints one line
# "e2e: ganeti: <step>: <why>" on stderr, a failing CHECK, and exits non-zero.
# E2E_KEEP_LOGS=DIR keeps each node's logs (Ganeti's, udevd's, gnt-com's outputs, consoles)
# in DIR/NODE.
#
# Files: node-packages (the image's packages), build-image.sh + build-guest.sh + guest/
# (the image, with the guests' kernel and busybox initramfs), node.sh (namespaces, overlay,
# /dev, network), scenario.sh and upgrade.sh (the checks), lib.sh. What the host needs
# (mmdebstrap) is in scripts/debian-packages.
#
# Facts about Debian's Ganeti 3.0.2 and 3.1.0~rc2 this relies on (see the comments where
# they are used):
# - It runs without systemd: gnt-cluster init starts the daemons itself through
#   /usr/lib/ganeti/daemon-util; ganeti-metad is started on demand by noded when an
#   instance's metadata is updated (add/start/modify) and answers on port 80 of every
#   address. Its meta_data.json is an empty 200; os/parameters.json is looked up by the
#   client's IP (the guest uses it to prove metad knew it by its channel IP).
# - Cluster init needs a node name resolving to an address the node owns (UTS namespace,
#   veth, /etc/hosts), /var/lock, a free cluster IP. No sshd and no --no-ssh-init are needed
#   on a single node (it writes root's ssh keys, in the overlay). The default iallocator
#   (hail) refuses a single node (N+1): instances are added with -n NODE.
# - kvm-ifup (for every NIC: noded opens the tap, passes qemu fd=) sources
#   /etc/ganeti/kvm-ifup-os with bash for MODE=routed and a gnt.com.* interface, in noded's
#   environment plus INSTANCE MAC MODE INTERFACE INTERFACE_INDEX INTERFACE_NAME
#   (ganeti:communication:NAME) INTERFACE_UUID IP LINK (communication_rt) TAGS VLAN and
#   NETWORK_* (PATH gets :/sbin:/usr/sbin); no ACTION, never a down call.
# - `gnt-instance reboot` (hard by default) and `shutdown` send system_powerdown and poll
#   every 5 s until --shutdown-timeout/--timeout (default 120 s), then kill qemu: with the
#   guest's acpid that is ~6 s, without it timeout + ~1 s.
# - 3.1 defaults vhost_net to True, which needs /dev/vhost-net: the cluster sets it false.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
deb="" cache="" results=/dev/stdout release=12 old_debs=() downgrade_to=""
usage="usage: $0 --deb PATH [--release 12|13] [--cache DIR] [--results FILE] [--old-deb VERSION=PATH]... [--downgrade-to VERSION]"
while [ $# -gt 0 ]; do
  case "$1" in
    --deb) deb=$2; shift 2;;
    --release) release=$2; shift 2;;
    --cache) cache=$2; shift 2;;
    --results) results=$2; shift 2;;
    --old-deb) old_debs+=("$2"); shift 2;;
    --downgrade-to) downgrade_to=$2; shift 2;;
    *) echo "$usage" >&2; exit 2;;
  esac
done
cache=${cache:-/var/cache/gnt-com-e2e/debian$release/ganeti}
fail_start() {  # fail_start STEP WHY
  echo "e2e: ganeti: $1: $2" >&2
  printf 'CHECK\tganeti: %s\tfail\t%s\n' "$1" "$2" >> "$results"
  exit 1
}
[ "$(id -u)" = 0 ] || fail_start "setup" "must run as root"
export E2E_RELEASE=$release
. "$here/../releases.sh" || fail_start "setup" "no facts for release '$release' in scripts/e2e/releases.sh"
for o in "${old_debs[@]}"; do
  [ -f "${o#*=}" ] || fail_start "setup" "no .deb of GntCom ${o%%=*} at '${o#*=}' (--old-deb VERSION=PATH)"
done
[ -f "$deb" ] || fail_start "setup" "no .deb at '${deb}' (--deb PATH)"
deb=$(realpath "$deb")
for t in mmdebstrap unshare chroot; do
  command -v "$t" > /dev/null || fail_start "setup" "$t is missing (scripts/debian-packages lists it: make deps)"
done
[ -e /dev/net/tun ] || fail_start "setup" "no /dev/net/tun on this host"
t_all=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}'; }

# ---------------------------------------------------------------- clean-up, on any exit
work="" child=""
# shellcheck disable=SC2317  # run by trap
cleanup() {
  # The node's namespaces die with their PID 1 (unshare --kill-child): every process in
  # them (daemons, qemu, dnsmasq, udevd), its veth pair and taps, its mounts (overlay,
  # /dev tmpfs); the same for an image build. Then only the temp dir is left.
  # unshare --fork ignores SIGTERM and SIGINT while it waits for its child: SIGKILL it, and
  # --kill-child has the kernel SIGKILL its child, the namespace's PID 1, and with it all.
  # $child is `timeout`, which leads a process group of its own with unshare in it.
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -KILL -- "-$child" 2>/dev/null || kill -KILL "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  if [ -n "${IMAGE_BUILD:-}" ]; then
    kill -KILL -- "-$IMAGE_BUILD" 2>/dev/null || kill -KILL "$IMAGE_BUILD" 2>/dev/null
    wait "$IMAGE_BUILD" 2>/dev/null
  fi
  [ -n "$work" ] && rm -rf "$work"
  [ -d "$cache/rootfs.new" ] && rm -rf "$cache/rootfs.new"
}
# shellcheck disable=SC2317  # run by trap
interrupted() {  # a run cut short is a failure, never a silent skip
  printf 'CHECK\tganeti: run\tfail\tinterrupted by SIG%s\n' "$1" >> "$results"
  echo "e2e: ganeti: run: interrupted by SIG$1" >&2
  exit "$2"
}
trap cleanup EXIT
trap 'interrupted INT 130' INT
trap 'interrupted TERM 143' TERM
# run_child LOG CMD...: runs CMD in the background (so that a signal reaches our trap at
# once), its output to LOG (- for ours)
run_child() {
  local log=$1; shift
  if [ "$log" = - ]; then "$@" & else "$@" > "$log" 2>&1 & fi
  child=$!
  wait "$child"; local rc=$?; child=""; return $rc
}

# ---------------------------------------------------------------- the cached node image
# shellcheck source=image.sh
. "$here/image.sh"
node_image "$cache" ganeti "$results" || exit 1

# ---------------------------------------------------------------- the nodes
# run_node NAME SCENARIO [OLD_VERSION OLD_DEB yes|no]: one node in new namespaces: mount
# (the overlay and /dev live only there), UTS (the node's own hostname), network (veth,
# taps, routes, dnsmasq), PID (PID 1 is node.sh: when it ends every process of the node ends
# with it), IPC; 20 min at most (a warm run takes about 2). Its logs in $work/NAME.
status=0
run_node() {
  local name=$1 rc t0; shift
  t0=$(date +%s.%N)
  work=$(mktemp -d /tmp/gnt-com-e2e-ganeti.XXXXXX)
  echo "e2e: ganeti: $E2E_RELEASE_NAME: node for $name" >&2
  run_child - timeout -s KILL 1200 unshare --mount --uts --net --pid --ipc --fork --kill-child \
      --propagation private --mount-proc "$here/node.sh" "$cache/rootfs" "$work" "$results" "$deb" "$@"
  rc=$?
  if [ $rc -eq 137 ]; then
    printf 'CHECK\tganeti: %s\tfail\t%s\n' "$name: node" "timed out after 1200 s (see the last check above)" >> "$results"
    echo "e2e: ganeti: $name: node: timed out after 1200 s" >&2
  elif [ $rc -ne 0 ] && ! grep -q "	fail	" "$work/share/results.tsv" 2>/dev/null; then
    printf 'CHECK\tganeti: %s\tfail\t%s\n' "$name: node" "node.sh ended with status $rc and no failing check" >> "$results"
    echo "e2e: ganeti: $name: node: node.sh ended with status $rc and no failing check" >&2
  fi
  [ $rc -eq 0 ] || status=1
  printf 'TIME\tganeti: node %s\t%s\n' "$name" "$(elapsed "$t0")" >> "$results"
  if [ -n "${E2E_KEEP_LOGS:-}" ]; then
    mkdir -p "$E2E_KEEP_LOGS/$name" && cp -r "$work/share/." "$E2E_KEEP_LOGS/$name/" 2>/dev/null
    cp -r "$work/upper/var/log" "$E2E_KEEP_LOGS/$name/node-var-log" 2>/dev/null
  fi
  rm -rf "$work"; work=""
}
run_node new-install scenario
for o in "${old_debs[@]}"; do
  v=${o%%=*}
  run_node "upgrade-from-$v" upgrade "$v" "$(realpath "${o#*=}")" "$( [ "$v" = "$downgrade_to" ] && echo yes || echo no)"
done
printf 'TIME\tganeti: total\t%s\n' "$(elapsed "$t_all")" >> "$results"
exit $status
