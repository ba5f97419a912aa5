# cluster/node.sh: makes the ganeti part's node into cluster node N. Sourced (E2E_NODE_SHELL)
# by scripts/e2e/ganeti/node.sh once it has mounted the node's overlay, /proc, /sys, /run,
# /tmp and /dev in the node's own mount namespace (R is the node's root there), set up by
# run.sh:
#   E2E_CLUSTER_NODE=N  E2E_CLUSTER_COMMON=DIR  E2E_CLUSTER_HOSTS=FILE
# The ganeti part names every node node1 with a veth of its own: here the name, /etc/hosts
# and the link are the cluster's. The node then waits (PID 1 of its PID namespace: it reaps
# the daemons that detach) until run.sh ends it; run.sh drives the node with nsenter.
# shellcheck shell=bash
# shellcheck disable=SC2154  # (R and WORK: set by ganeti/node.sh)
cluster_node_setup() {
  local n=$E2E_CLUSTER_NODE name
  name=$(awk -v n="node$n" '$3 == n {print $2}' "$E2E_CLUSTER_HOSTS")
  [ -n "$name" ] || { echo "no node$n in $E2E_CLUSTER_HOSTS"; return 1; }
  hostname "$name" || return 1
  echo "$name" > "$R/etc/hostname"
  { echo "127.0.0.1	localhost"; cat "$E2E_CLUSTER_HOSTS"; } > "$R/etc/hosts" || return 1
  # a node of its own: its machine-id (udev's MACAddressPolicy=persistent derives a tap's
  # MAC from it and the name, as on any Debian node; the image has none)
  od -An -tx1 -N16 /dev/urandom | tr -d ' \n' > "$R/etc/machine-id" && echo >> "$R/etc/machine-id"
  # the node1 link the ganeti part made goes; run.sh joins the two nodes' eth0 instead
  ip link del eth0 2> /dev/null
  # one directory both nodes see (the probes' records, syslog, the guests' initrd, tools)
  mkdir -p "$R/srv/cluster" && mount --bind "$E2E_CLUSTER_COMMON" "$R/srv/cluster" || return 1
  mkdir -p "$R/var/log/e2e" "$R/run/sshd"
}
if ! out=$(cluster_node_setup 2>&1); then
  echo "e2e: cluster: node$E2E_CLUSTER_NODE setup: $out" >&2
  exit 1
fi
touch "$WORK/share/ready"
# run.sh moves one end of a veth pair here as eth0: address it (the host part is 10 + N)
n=0
while ! ip link show dev eth0 > /dev/null 2>&1 && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
if ! out=$(ip addr add "$(awk -v n="node$E2E_CLUSTER_NODE" '$3 == n {print $1}' "$E2E_CLUSTER_HOSTS")/24" dev eth0 2>&1 \
           && ip link set eth0 up 2>&1); then
  echo "e2e: cluster: node$E2E_CLUSTER_NODE link: ${out:-no eth0 after 60 s}" >&2
  exit 1
fi
touch "$WORK/share/link-ready"
while :; do sleep 3600 & wait $!; done
