#!/bin/bash
# node.sh: the Ganeti node. run.sh starts it as PID 1 of new mount, UTS, network, PID and IPC
# namespaces (unshare); everything it starts lives and dies in them. Not run directly.
#   node.sh IMAGE WORKDIR RESULTS DEB scenario
#   node.sh IMAGE WORKDIR RESULTS DEB upgrade OLD_VERSION OLD_DEB yes|no
# IMAGE is the cached root filesystem (read-only lower layer), WORKDIR a fresh temp dir;
# the last word says whether upgrade.sh also downgrades. E2E_RELEASE names the release
# (scripts/e2e/releases.sh).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034  # (used by the scenarios and lib.sh)
IMAGE=$1 WORK=$2 RESULTS=$3 DEB=$4 SCENARIO=$5 OLD_VERSION=${6:-} OLD_DEB=${7:-} DOWNGRADE=${8:-no}
R=$WORK/root
. "$here/lib.sh"
. "$here/../releases.sh" || die "node setup" "no facts for release '${E2E_RELEASE:-}'"

# ---------------------------------------------------------------- the node's file system
# A throwaway overlay over the cached image: the cache stays pristine, every change of this
# run (Ganeti's config, ssh keys, /etc/hosts, the installed .deb) lands in WORKDIR/upper.
mkdir -p "$WORK"/{upper,work,root,share}
trap 'die "node setup" "line $LINENO: $BASH_COMMAND failed"' ERR    # until the scenario starts
mount -t overlay overlay -o "lowerdir=$IMAGE,upperdir=$WORK/upper,workdir=$WORK/work" "$R"
mount -t proc proc "$R/proc"                    # this PID namespace's processes only
mount -t sysfs sysfs "$R/sys"                   # this network namespace's devices only
mount -t tmpfs -o mode=0755,nosuid run "$R/run" # /var/run -> /run
mkdir -m 1777 "$R/run/lock"                     # /var/lock -> /run/lock
mount -t tmpfs -o mode=1777,nosuid tmp "$R/tmp"
# /dev: a tmpfs of our own with only the nodes the node needs (no /dev/kvm: TCG only); the
# host's /dev cannot be changed from inside.
mount -t tmpfs -o mode=0755,nosuid,noexec dev "$R/dev"
mknod -m 666 "$R/dev/null" c 1 3
mknod -m 666 "$R/dev/zero" c 1 5
mknod -m 666 "$R/dev/full" c 1 7
mknod -m 666 "$R/dev/random" c 1 8
mknod -m 666 "$R/dev/urandom" c 1 9
mknod -m 666 "$R/dev/tty" c 5 0
mkdir -m 755 "$R/dev/net" && mknod -m 666 "$R/dev/net/tun" c 10 200
mkdir -m 755 "$R/dev/pts" "$R/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$R/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$R/dev/shm"
ln -s pts/ptmx "$R/dev/ptmx"
ln -s /proc/self/fd "$R/dev/fd"
ln -s /proc/self/fd/0 "$R/dev/stdin"; ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"
mount --bind "$WORK/share" "$R/mnt"     # the .deb in, logs out: /mnt in the node

# ---------------------------------------------------------------- the node's name and network
# Ganeti wants a node name resolving to a non-loopback address it owns: our own UTS name, a
# veth pair (no dummy interfaces in this kernel) with both ends in this network namespace,
# and /etc/hosts lines in the overlay.
hostname "$NODE"
cat > "$R/etc/hosts" <<HOSTS
127.0.0.1	localhost
$NODE_IP	$NODE ${NODE%%.*}
$CLUSTER_IP	$CLUSTER ${CLUSTER%%.*}
HOSTS
echo "$NODE" > "$R/etc/hostname"
ip link set lo up
ip link add eth0 type veth peer name lan0
ip addr add "$NODE_IP/24" dev eth0
ip link set eth0 up && ip link set lan0 up
# a real node with routed NICs forwards: the channel's isolation must hold with forwarding on
echo 1 > /proc/sys/net/ipv4/ip_forward

trap - ERR

if [ -n "${E2E_NODE_SHELL:-}" ]; then
  # debugging: run a command in the prepared node (outside the chroot) instead of the scenario
  eval "$E2E_NODE_SHELL"
  exit $?
fi
. "$here/$SCENARIO.sh"
