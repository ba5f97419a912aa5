# lib.sh: helpers shared by node.sh and scenario.sh (sourced).
# shellcheck shell=bash disable=SC2034  # (variables used by node.sh and scenario.sh)
NODE=node1.e2e.test         NODE_IP=192.0.2.10      # TEST-NET-1, only inside our namespace
CLUSTER=cluster.e2e.test    CLUSTER_IP=192.0.2.100
failed=0
# every result line goes to run.sh's --results and to a copy run.sh reads back
result() { printf '%s\n' "$1" | tee -a "$WORK/share/results.tsv" >> "$RESULTS"; }

# in_node CMD...: run CMD in the node's root (chroot) with a clean environment, as Ganeti's
# init scripts would have it
in_node() {
  chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    TERM=dumb "$@"
}
# result lines for run.sh's --results file
check() {  # check NAME pass|fail DETAIL
  local detail=${3//$'\t'/ }; detail=${detail//$'\n'/ }
  result "$(printf 'CHECK\tganeti: %s\t%s\t%s' "$1" "$2" "$detail")"
  printf 'e2e: ganeti: [%3ss] %-4s %s: %s\n' "$SECONDS" "$2" "$1" "$detail" >&2
  [ "$2" = pass ] || failed=1
}
timing() {  # timing NAME SECONDS
  result "$(printf 'TIME\tganeti: %s\t%s' "$1" "$2")"
  printf 'e2e: ganeti: [%3ss] time %s: %ss\n' "$SECONDS" "$1" "$2" >&2
}
# die STEP WHY: a part that cannot start: one line on stderr, a failing CHECK, exit non-zero
die() {
  echo "e2e: ganeti: $1: $2" >&2
  result "$(printf 'CHECK\tganeti: %s\tfail\t%s' "$1" "${2//$'\t'/ }")"
  exit 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }
# poll SECONDS CMD...: true as soon as CMD succeeds, false after SECONDS
poll() {
  local end=$(( $(date +%s) + $1 )); shift
  while :; do
    "$@" && return 0
    [ "$(date +%s)" -lt "$end" ] || return 1
    sleep 0.2
  done
}
