# scenario.sh: the cluster's steps, sourced by run.sh once both nodes are up and linked.
# Each step appends CHECK/TIME lines (lib.sh). Node 1 is Ganeti's master: every gnt-*
# command runs there.
# shellcheck shell=bash
# shellcheck disable=SC2154  # (common, deb, here: set by run.sh)

STATE=$common           # = /srv/cluster in both nodes
G=/srv/cluster
CONSOLE_DIR=/var/log/e2e

# ganeti CMD...: a Ganeti command on the master, bounded in time; output in $STATE/last.out
ganeti() {
  { echo "=== $(date -u +%T.%N) $*"; } >> "$STATE/ganeti.log"
  on 1 timeout 300 "$@" > "$STATE/last.out" 2>&1
  local rc=$?
  cat "$STATE/last.out" >> "$STATE/ganeti.log"
  return $rc
}
last_err() { grep -v '^\s*$' "$STATE/last.out" | tail -n 2 | tr '\n' ' '; }
gnt_com() { local n=$1; shift; on "$n" timeout 60 gnt-com "$@"; }

# ---------------------------------------------------------------- the instances
declare -A IP=()                  # an instance's channel IP (its last NIC's)
where() {  # where NAME: node1|node2, the instance's primary node as Ganeti has it
  local p
  p=$(on 1 timeout 60 gnt-instance list --no-headers -o pnode "$1" 2>/dev/null)
  echo "${p%%.*}"
}
console() { tr -d '\r' < "$(path "$1" "$CONSOLE_DIR/$2.console")" 2>/dev/null; }   # console NODE NAME
wait_ready() { poll "$3" grep -q '^E2E READY' "$(path "$1" "$CONSOLE_DIR/$2.console")"; }
# guest_get NODE IP PATH: GET http://IP/PATH from NODE, over the channel (the guest's httpd)
guest_get() {
  on "$1" timeout 60 python3 -c '
import sys, urllib.request
print(urllib.request.urlopen("http://%s/%s" % (sys.argv[1], sys.argv[2]), timeout=50).read().decode().strip())
' "$2" "$3" 2>&1 | tail -n 1
}
# probes_since IP NODE T: how many of IP's probes NODE's responder accepted after time T
probes_since() {
  awk -v ip="$1" -v t="$3" '$2 == ip && $1 > t {n++} END {print n + 0}' "$STATE/probe-$2.log" 2>/dev/null
}
reached() { [ "$(probes_since "$1" "$2" "$3")" -gt 0 ]; }   # reached IP NODE T

# ---------------------------------------------------------------- the checks after every step
# clean_within STEP N: `gnt-com check` on node N clean within 2 s, nothing else called
clean_within() {
  local t0 out n_ch
  t0=$(now)
  if poll 2 gnt_com "$2" check > /dev/null 2>&1; then
    n_ch=$(gnt_com "$2" status 2>/dev/null | grep -c 'gnt\.com\.')
    check "$1: gnt-com check on node$2" pass "clean after $(elapsed "$t0") s ($n_ch channel line(s) in status)"
  else
    out=$(gnt_com "$2" check 2>&1 | tr '\n' ' ' | cut -c1-400)
    check "$1: gnt-com check on node$2" fail "not clean after 2 s: $out"
  fi
}
# why_not NODE NAME: what NODE sees of the guest NAME (after its channel failed a check)
why_not() {
  local t; t=$(awk -v n="$(now)" 'BEGIN {printf "%.6f", n - 5}')
  printf '%s probes in the last 5 s; %s: %s; connect to :80: %s' "$(probes_since "${IP[$2]}" "$1" "$t")" "$1" \
    "$(on "$1" ip neigh show "${IP[$2]}" 2>&1 | head -n 1)" \
    "$(on "$1" timeout 10 python3 -c '
import socket, sys
try:
    socket.create_connection((sys.argv[1], 80), timeout=5).close(); print("ok")
except OSError as e:
    print(e)' "${IP[$2]}" 2>&1 | tail -n 1)"
}
# guests_ok STEP: every instance leases (DHCP) and reaches metad on the node it runs on
guests_ok() {
  local i n r
  for i in $(printf '%s\n' "${!IP[@]}" | sort); do
    n=$(where "$i")
    if [ -z "$n" ]; then check "$1: $i leases and reaches metad" fail "Ganeti knows no primary node for $i"; continue; fi
    r=$(guest_get "$n" "${IP[$i]}" cgi-bin/chan)
    case "$r" in
      "lease ${IP[$i]}/"*" server=169.254.169.254 router=none; metad: HTTP/1."?" 200 "*)
        check "$1: $i leases and reaches metad on $n" pass "$r";;
      *) check "$1: $i leases and reaches metad on $n" fail "${r:-no answer from the guest}; $(why_not "$n" "$i")";;
    esac
  done
}

# ---------------------------------------------------------------- a live migration's figures
# qmp_start TAG NODE NAME: records qemu's migration on NODE (the source) from NAME's kvmd
# QMP socket, in $STATE/qmp-TAG.json; sets QMP_PID
qmp_start() {
  rm -f "$STATE/qmp-$1.json"
  on "$2" timeout 900 python3 "$G/tools/qmp-migrate.py" "$CLUSTER_KVM_CTRL/$3.kvmd" "$G/qmp-$1.json" 900 \
    > "$STATE/qmp-$1.err" 2>&1 &
  QMP_PID=$!
}
qmp_stop() {  # qmp_stop PID: it ends by itself when qemu says completed/failed or goes
  poll 15 eval "! kill -0 $1 2>/dev/null" || kill "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}
# figures TAG NAME SOURCE TARGET T0: after a live migration of NAME from SOURCE to TARGET
# that started at T0: waits (120 s at most) for the guest's first probe on the target, then
# reports qemu's downtime, the guest's longest gap and the gap after the target's ifup
# (tools/gaps.py; "when" figures in ms from qemu's "completed", negative: before it)
figures() {
  local tag=$1 name=$2 src=$3 tgt=$4 t0=$5 t1 f v why label when
  label="migration $tag: $name $src->$tgt"
  poll 120 reached "${IP[$name]}" "$tgt" "$t0"
  sleep 0.5     # a few probes after the first on the target: the gap is closed
  t1=$(now)
  f=$(on 1 python3 "$G/tools/gaps.py" "$G" "${IP[$name]}" "$src" "$tgt" "$t0" "$t1" "$G/qmp-$tag.json" 2>&1)
  echo "$label: $f" >> "$STATE/figures.txt"
  fig() { echo "$f" | sed -n "s/.*\b$1=\([-0-9]*\).*/\1/p"; }
  why=$(echo "$f" | sed -n 's/.* why=//p')
  when="from qemu's completion: channel up on $tgt at $(fig chan_up) ms, Ganeti's ifup returned at $(fig ifup_at) ms, first probe there at $(fig first_at) ms"
  v=$(fig downtime)
  if [ -n "$v" ]; then check "$label: qemu's downtime" pass "$v ms (the source's query-migrate)"
  else check "$label: qemu's downtime" fail "not measured: ${why:-$f}"; fi
  v=$(fig gap)
  if [ -n "$v" ] && reached "${IP[$name]}" "$tgt" "$t0"; then
    check "$label: the guest's longest gap" pass "$v ms without reaching 169.254.169.254 (a probe every 100 ms, $(fig probes) got through)"
  else check "$label: the guest's longest gap" fail "the guest did not reach $tgt within 120 s: ${why:-$f}"; fi
  # a live migration goes on where the guest was: nothing boots on the target (a file of
  # the target's qemu, new at its start; panic=-1 reboots at once, inside qemu)
  console "$tgt" "$name" > "$STATE/console-$tag-$name-$tgt.txt"
  v=$(grep -E '^E2E BOOT|Kernel panic|BUG:' "$STATE/console-$tag-$name-$tgt.txt" | head -n 3 | tr '\n' ' ')
  if [ -z "$v" ]; then check "$label: the guest goes on, nothing boots on $tgt" pass "$(grep -c . "$STATE/console-$tag-$name-$tgt.txt") console line(s) there since the migration, none a boot"
  else check "$label: the guest goes on, nothing boots on $tgt" fail "$tgt's console: $v"; fi
  v=$(fig after_ifup)
  if [ -z "$v" ]; then check "$label: gap after ifup" fail "not measured: ${why:-$f}"
  elif [ "$v" -le "$GAP_LIMIT_MS" ]; then check "$label: gap after ifup" pass "$v ms (at most $GAP_LIMIT_MS; $when)"
  else check "$label: gap after ifup" fail "$v ms, more than $GAP_LIMIT_MS ($when)"; fi
}
# live_migrate TAG NAME TARGET: gnt-instance migrate, then both nodes' check, the figures, the guests
live_migrate() {
  local tag=$1 name=$2 tgt=$3 src t0 rc qp
  src=$(where "$name")
  qmp_start "$tag" "$src" "$name"; qp=$QMP_PID
  t0=$(now)
  ganeti gnt-instance migrate -f -n "$(fqdn "$tgt")" "$name"; rc=$?
  timing "migration $tag: gnt-instance migrate $name $src->$tgt" "$(elapsed "$t0")"
  qmp_stop "$qp"
  if [ $rc -ne 0 ]; then
    check "migration $tag: gnt-instance migrate $name $src->$tgt" fail "exit $rc: $(last_err)"
    return 1
  fi
  clean_within "migration $tag" "${src#node}"
  clean_within "migration $tag" "${tgt#node}"
  figures "$tag" "$name" "$src" "$tgt" "$t0"
  guests_ok "migration $tag"
}

# ================================================================= 0. the nodes' services
# In each node: syslog on /dev/log (microsecond arrival times), the probes' responder, sshd
# (gnt-node add and Ganeti's key distribution use ssh).
for n in 1 2; do
  on "$n" python3 "$G/tools/syslog.py" "$G/syslog-node$n.log" > "$STATE/syslog-node$n.err" 2>&1 &
  on "$n" python3 "$G/tools/responder.py" "$PROBE_PORT" "$G/probe-node$n.log" > "$STATE/responder-node$n.err" 2>&1 &
  on "$n" /usr/sbin/sshd -o UsePAM=no -E /var/log/sshd.log || die "node$n services" "sshd did not start"
done
for n in 1 2; do
  poll 20 grep -qs listening "$STATE/syslog-node$n.log" || die "node$n services" "syslog.py: $(tail -n 1 "$STATE/syslog-node$n.err")"
  poll 20 grep -qs listening "$STATE/probe-node$n.log" || die "node$n services" "responder.py: $(tail -n 1 "$STATE/responder-node$n.err")"
done
v=$(on 1 dpkg-query -W -f='${Version}' ganeti 2>&1)
case "$v" in
  "$E2E_GANETI"*) ;;
  *) die "cluster init" "the image's ganeti is '$v', not $E2E_GANETI (releases.sh's facts)";;
esac
# the guests' initrd: the ganeti part's (kernel, busybox, its /init) + guest/ (rdinit=/cluster-init)
chmod -R go-w "$STATE/guest"
on 1 sh -c "cd $G/guest && find . | cpio -o -H newc --quiet | gzip -9 > $G/cluster.cpio.gz \
            && cat /srv/e2e/guest/initrd.gz $G/cluster.cpio.gz > $G/initrd.gz" \
  || die "guest initrd" "cpio of guest/ failed"

# ================================================================= 1. the cluster
# node1: gnt-cluster init (the master: it writes root's ssh key pair, starts the daemons
# through daemon-util). node2 trusts that key (what an admin does before gnt-node add), then
# gnt-node add sets it up over ssh (node-daemon-setup, the cluster's ssh keys) and noded on
# it joins. Both nodes come from one image, so they share ssh host keys.
t0=$(now)
ganeti gnt-cluster init --enabled-hypervisors=kvm --enabled-disk-templates=diskless \
    --master-netdev=eth0 --no-etc-hosts "$CLUSTER" \
  || die "cluster init" "gnt-cluster init failed: $(last_err)"
ganeti gnt-cluster modify --instance-communication-network=gnt-com-net \
  || die "cluster init" "instance communication network: $(last_err)"
# KVM under TCG, the guests' kernel and initrd on both nodes (the image's; /srv/cluster);
# serial_console=false: kvm_extra's "-serial file:" is the guest's ttyS1; the migration
# downtime limit that keeps TCG from losing the guest's writes (lib.sh)
ganeti gnt-cluster modify -H "kvm:kvm_path=/usr/bin/qemu-system-x86_64,kernel_path=/srv/e2e/guest/vmlinuz,initrd_path=$G/initrd.gz,serial_console=false,vnc_bind_address=,kernel_args=console=ttyS1 panic=-1 rdinit=/cluster-init,migration_downtime=$CLUSTER_MIGRATION_DOWNTIME${CLUSTER_KVM_HV:+,$CLUSTER_KVM_HV}" \
  || die "cluster init" "hypervisor parameters: $(last_err)"
timing "cluster init" "$(elapsed "$t0")"
key=$(cat "$(path 1 /root/.ssh)"/id_*.pub 2>/dev/null)
[ -n "$key" ] || die "node add" "gnt-cluster init wrote no root ssh key on node1"
mkdir -p -m 700 "$(path 2 /root/.ssh)"
echo "$key" >> "$(path 2 /root/.ssh/authorized_keys)"
t0=$(now)
ganeti gnt-node add --no-ssh-key-check "$(fqdn node2)" \
  || die "node add" "gnt-node add node2 failed: $(last_err)"
timing "gnt-node add" "$(elapsed "$t0")"
nodes=$(on 1 gnt-node list --no-headers -o name,offline,master_candidate,vm_capable 2>&1 | tr -s ' ' | tr '\n' ';')
if [ "$(echo "$nodes" | grep -o 'e2e.test N Y Y' | wc -l)" = 2 ]; then
  check "two-node cluster: gnt-cluster init on node1, gnt-node add node2" pass "$nodes"
else
  check "two-node cluster: gnt-cluster init on node1, gnt-node add node2" fail "gnt-node list: $nodes"
fi

# ================================================================= 2. GntCom on both nodes
cp "$deb" "$STATE/gnt-com.deb"
# start_udevd N: the real systemd-udevd in node N's namespaces (it gets only that network
# namespace's net uevents) with GntCom's rule and udev's own 80-net-setup-link.rules, which
# applies 99-default.link (MACAddressPolicy=persistent) to every new interface, taps
# included, as on any Debian node; tmpfs over the rule directories hides every other rule.
start_udevd() {
  local n=$1 f rules=$STATE/rules-node$1
  mkdir -p "$rules"
  for f in /etc/udev/rules.d/60-gnt-com.rules /usr/lib/udev/rules.d/60-gnt-com.rules \
           "$CLUSTER_UDEV_RULES/60-gnt-com.rules"; do
    [ -f "$(path "$n" "$f")" ] && { cp "$(path "$n" "$f")" "$rules/"; break; }
  done
  [ -f "$rules/60-gnt-com.rules" ] || { check "node$n: the .deb ships the udev rule" fail "no 60-gnt-com.rules"; return 1; }
  cp "$(path "$n" "$CLUSTER_UDEV_RULES/80-net-setup-link.rules")" "$rules/" \
    || die "node$n udevd" "no $CLUSTER_UDEV_RULES/80-net-setup-link.rules in the image"
  ns "$n" mount -t tmpfs -o mode=0755 udev-rules "${NODE_ROOT[$n]}/usr/lib/udev/rules.d"
  ns "$n" mount -t tmpfs -o mode=0755 udev-rules "${NODE_ROOT[$n]}/etc/udev/rules.d"
  cp "$rules"/*.rules "$(path "$n" /usr/lib/udev/rules.d)/"
  on "$n" "$CLUSTER_UDEVD" --resolve-names=never --debug > "$STATE/udevd-node$n.log" 2>&1 &
  poll 10 test -S "$(path "$n" /run/udev/control)" \
    || die "node$n udevd" "systemd-udevd did not start: $(tail -n 2 "$STATE/udevd-node$n.log")"
}
for n in 1 2; do
  # offline (the nodes have no way out): the image holds dnsmasq-base, its dependency
  if on "$n" timeout 300 dpkg -i "$G/gnt-com.deb" > "$STATE/dpkg-node$n.log" 2>&1; then
    check "node$n: install the .deb (dpkg -i)" pass "$(basename "$deb")"
  else
    check "node$n: install the .deb (dpkg -i)" fail "$(tail -n 2 "$STATE/dpkg-node$n.log" | tr '\n' ' ')"
    die "gnt-com install" "dpkg -i $(basename "$deb") failed on node$n"
  fi
  start_udevd "$n"
  if on "$n" timeout 120 gnt-com ganeti enable > "$STATE/enable-node$n.out" 2>&1; then
    check "node$n: gnt-com ganeti enable" pass "$(tail -n 1 "$STATE/enable-node$n.out")"
  else
    check "node$n: gnt-com ganeti enable" fail "$(tail -n 2 "$STATE/enable-node$n.out" | tr '\n' ' ')"
  fi
done

# ================================================================= 3. three guests
# a and b on node1, c on node2 (so that node2's metad runs: Ganeti starts it where an
# instance is added). Diskless, no NIC but the channel (--communication=yes appends it; its
# IP and MAC from the instance communication network), the console a file on the node,
# qemu's TCG as lib.sh says (Ganeti splits -H at commas: "\," keeps one).
add_instance() {  # add_instance NAME NODE
  on "$2" mkdir -p "$CONSOLE_DIR"
  rm -f "$(path "$2" "$CONSOLE_DIR/$1.console")"
  on 1 timeout 400 gnt-instance add -n "$(fqdn "$2")" -t diskless -o e2e-noop -O "e2e_name=$1" \
    --no-name-check --no-ip-check --no-nics --communication=yes \
    -H "kvm:kvm_extra=${CLUSTER_QEMU_TCG//,/\\,}${CLUSTER_QEMU_TCG:+ }-serial file:$CONSOLE_DIR/$1.console" "$1" \
    > "$STATE/add-$1.out" 2>&1
}
on 2 mkdir -p "$CONSOLE_DIR"
t0=$(now)
add_instance a node1 & pa=$!
add_instance c node2 & pc=$!
wait $pa; ra=$?
add_instance b node1; rb=$?
wait $pc; rc=$?
cat "$STATE"/add-?.out >> "$STATE/ganeti.log"
for i in a:$ra:node1 b:$rb:node1 c:$rc:node2; do
  name=${i%%:*} r=${i#*:}; node=${r#*:}; r=${r%%:*}
  if [ "$r" -ne 0 ]; then
    check "$name: gnt-instance add on $node" fail "$(grep -v '^\s*$' "$STATE/add-$name.out" | tail -n 2 | tr '\n' ' ')"
    continue
  fi
  if ! wait_ready "$node" "$name" 150; then
    check "$name boots on $node: leases and reaches metad" fail "no READY in 150 s: $(console "$node" "$name" | grep -E '^E2E|Kernel panic' | tail -n 3 | tr '\n' ' ')"
    continue
  fi
  c=$(console "$node" "$name")
  lease=$(echo "$c" | sed -n 's/^E2E LEASE //p' | tail -n 1)
  metad=$(echo "$c" | sed -n 's/^E2E \(NO\)*METAD //p' | tail -n 1)
  if [ -n "$lease" ] && [ "$metad" = "ok name=$name" ]; then
    check "$name boots on $node: leases and reaches metad" pass "lease $lease; metad $metad"
    IP[$name]=$(on 1 gnt-instance list --no-headers -o nic.ips "$name" | tr ',' '\n' | tail -n 1)
  else
    check "$name boots on $node: leases and reaches metad" fail "lease: ${lease:-none}; metad: ${metad:-none}"
  fi
done
timing "three instances added and booted" "$(elapsed "$t0")"
[ "${#IP[@]}" = 3 ] || die "instances" "not every guest booted with a working channel"
# the probes: every guest's reach its node's responder about ten times a second (at least 8 in 2 s)
sleep 2
t0=$(awk -v n="$(now)" 'BEGIN {printf "%.6f", n - 2}')
bad=""
for i in a:node1 b:node1 c:node2; do
  k=$(probes_since "${IP[${i%%:*}]}" "${i#*:}" "$t0")
  [ "$k" -ge 8 ] || bad="$bad ${i%%:*}: $k"
  got="${got:-}${i%%:*} $k, "
done
if [ -z "$bad" ]; then check "every guest probes 169.254.169.254 every 100 ms" pass "probes that went there and back in the last 2 s: ${got%, }"
else check "every guest probes 169.254.169.254 every 100 ms" fail "too few in the last 2 s:$bad"; fi
for n in 1 2; do clean_within "instances up" "$n"; done

# ================================================================= 4. live migration there and back
live_migrate 1 a node2
live_migrate 2 a node1

# ================================================================= 5. failover
# a shutdown on the source (ACPI: the guest's acpid powers off), an ordinary start on the target
rm -f "$(path 2 "$CONSOLE_DIR/a.console")"     # a stale READY from a's earlier visit
t0=$(now)
if ganeti gnt-instance failover -f -n "$(fqdn node2)" a; then
  timing "gnt-instance failover a node1->node2" "$(elapsed "$t0")"
  clean_within "failover" 1
  clean_within "failover" 2
  if wait_ready node2 a 150; then guests_ok "failover"
  else check "failover: a boots on node2" fail "no READY in 150 s: $(console node2 a | grep -E '^E2E|Kernel panic' | tail -n 3 | tr '\n' ' ')"; fi
else
  check "gnt-instance failover a node1->node2" fail "$(last_err)"
fi

# ================================================================= 6. gnt-node migrate of two instances
# node2 holds a and c: one command moves both (one job per instance, one after the other)
qmp_start 3 node2 a; qa=$QMP_PID
qmp_start 4 node2 c; qc=$QMP_PID
t0=$(now)
ganeti gnt-node migrate -f -n "$(fqdn node1)" "$(fqdn node2)"; rc=$?
timing "gnt-node migrate node2 (a and c) ->node1" "$(elapsed "$t0")"
qmp_stop "$qa"; qmp_stop "$qc"
if [ $rc -eq 0 ] && [ "$(where a)/$(where c)" = node1/node1 ]; then
  check "gnt-node migrate node2: a and c on node1" pass "$(grep -c 'migrating instance' "$STATE/last.out") migration(s)"
  clean_within "gnt-node migrate" 2
  clean_within "gnt-node migrate" 1
  figures 3 a node2 node1 "$t0"
  figures 4 c node2 node1 "$t0"
  guests_ok "gnt-node migrate"
else
  check "gnt-node migrate node2: a and c on node1" fail "exit $rc, a on $(where a), c on $(where c): $(last_err)"
fi

# ================================================================= 7. a failed migration
# b to the other node, slowed to 1 MiB/s (migration_bandwidth is cluster-wide in Ganeti)
# so that it is still copying memory when the TARGET's qemu is killed: Ganeti aborts, the
# guest goes on where it was.
bandwidth() {
  ganeti gnt-cluster modify -H "kvm:migration_bandwidth=$1" \
    || check "gnt-cluster modify -H kvm:migration_bandwidth=$1" fail "$(last_err)"
}
# copying TAG: the source's qemu is sending memory (query-migrate says active)
copying() { grep -q '"status": "active"' "$STATE/qmp-$1.json" 2>/dev/null; }
# qemu_of NODE NAME: the pid of NAME's qemu on NODE, if it runs (Ganeti's pid file may outlive it)
qemu_of() { on "$1" sh -c 'p=$(cat "$1" 2>/dev/null) && kill -0 "$p" 2>/dev/null && echo "$p"' - "$CLUSTER_KVM_PID/$2"; }
qemu_on() { [ -n "$(qemu_of "$1" "$2")" ]; }
other() { if [ "$1" = node1 ]; then echo node2; else echo node1; fi; }
bandwidth 1
src=$(where b); tgt=$(other "$src")
qmp_start failed "$src" b; qb=$QMP_PID
t0=$(now)
ganeti gnt-instance migrate -f -n "$(fqdn "$tgt")" b & gm=$!
if poll 120 copying failed && poll 30 qemu_on "$tgt" b; then
  sleep 1
  on "$tgt" kill -KILL "$(qemu_of "$tgt" b)"
  wait $gm; rc=$?
  qmp_stop "$qb"
  if [ $rc -ne 0 ]; then
    check "failed migration: gnt-instance migrate b $src->$tgt fails when $tgt's qemu is killed" pass "exit $rc: $(last_err | sed "s/^Failure: command execution error: //" | cut -c1-120)"
  else
    check "failed migration: gnt-instance migrate b $src->$tgt fails when $tgt's qemu is killed" fail "it succeeded: b on $(where b)"
  fi
  timing "failed migration of b" "$(elapsed "$t0")"
  clean_within "failed migration" "${tgt#node}"
  clean_within "failed migration" "${src#node}"
  if [ "$(where b)" = "$src" ] && [ -n "$(qemu_of "$src" b)" ] && [ -z "$(qemu_of "$tgt" b)" ]; then
    check "failed migration: b runs on $src only" pass "qemu pid $(qemu_of "$src" b) on $src, none on $tgt"
  else
    check "failed migration: b runs on $src only" fail "Ganeti: $(where b); qemu on $src: $(qemu_of "$src" b), on $tgt: $(qemu_of "$tgt" b)"
  fi
  guests_ok "failed migration"
else
  check "failed migration: b's migration under way" fail "query-migrate never said active, or no qemu for b on $tgt: $(tail -n 1 "$STATE/qmp-failed.json" 2>/dev/null)"
  wait $gm; qmp_stop "$qb"
fi

# ================================================================= 8. an interrupted migration, then --cleanup
# b to the other node again, slowed; its job is killed (gnt-job cancel --kill) while qemu
# copies memory, so qemu runs on both nodes. `gnt-instance migrate --cleanup` finds it on
# both, stops the target's and lets the source's go on.
src=$(where b); tgt=$(other "$src")
qmp_start cleanup "$src" b; qb=$QMP_PID
t0=$(now)
if ganeti gnt-instance migrate -f -n "$(fqdn "$tgt")" --submit b; then
  job=$(grep -o '[0-9][0-9]*' "$STATE/last.out" | tail -n 1)
  if poll 120 copying cleanup && poll 30 qemu_on "$tgt" b; then
    ganeti gnt-job cancel --kill --yes-do-it "$job" \
      || check "interrupted migration: gnt-job cancel --kill $job" fail "$(last_err)"
    poll 60 eval '[ "$(on 1 gnt-job list --no-headers -o status "$job" 2>/dev/null)" != running ]'
    st=$(on 1 gnt-job list --no-headers -o status "$job" 2>/dev/null)
    both="$src: $(qemu_of "$src" b), $tgt: $(qemu_of "$tgt" b)"
    if ganeti gnt-instance migrate --cleanup -f -n "$(fqdn "$tgt")" b; then
      check "interrupted migration: gnt-instance migrate --cleanup b" pass "job $job $st, qemu before the cleanup: $both; $(grep -v '^\s*$' "$STATE/last.out" | tail -n 1)"
    else
      check "interrupted migration: gnt-instance migrate --cleanup b" fail "job $job $st, qemu: $both: $(last_err)"
    fi
    qmp_stop "$qb"
    timing "interrupted migration of b and --cleanup" "$(elapsed "$t0")"
    w=$(where b); o=$(other "$w")
    clean_within "migrate --cleanup" "${o#node}"
    clean_within "migrate --cleanup" "${w#node}"
    if [ -n "$(qemu_of "$w" b)" ] && [ -z "$(qemu_of "$o" b)" ]; then
      check "migrate --cleanup: b runs on $w only" pass "qemu pid $(qemu_of "$w" b) on $w, none on $o"
    else
      check "migrate --cleanup: b runs on $w only" fail "qemu on $w: $(qemu_of "$w" b), on $o: $(qemu_of "$o" b)"
    fi
    guests_ok "migrate --cleanup"
  else
    check "interrupted migration: b's migration under way" fail "query-migrate never said active, or no qemu for b on $tgt: $(tail -n 1 "$STATE/qmp-cleanup.json" 2>/dev/null)"
    qmp_stop "$qb"
  fi
else
  check "interrupted migration: gnt-instance migrate --submit b" fail "$(last_err)"
  qmp_stop "$qb"
fi
bandwidth 32      # Ganeti's default (MiB/s)

# ================================================================= 9. gnt-node evacuate
# What an admin runs before a node's maintenance: every primary instance of node1 (all three
# now) leaves it. Evacuating primaries takes an iallocator: Ganeti's own hail picks the node
# and the move, a live migration for these (diskless: externally mirrored), one job per
# instance. Each gets a live migration's figures.
for i in a b c; do rm -f "$(path 2 "$CONSOLE_DIR/$i.console")"; done   # stale lines of earlier visits
declare -A QP=()
for i in a b c; do qmp_start "evac-$i" node1 "$i"; QP[$i]=$QMP_PID; done
t0=$(now)
ganeti gnt-node evacuate -f -p -I hail "$(fqdn node1)"; rc=$?
timing "gnt-node evacuate -p node1 (a, b and c)" "$(elapsed "$t0")"
for i in a b c; do qmp_stop "${QP[$i]}"; done
placed="a on $(where a), b on $(where b), c on $(where c)"
if [ $rc -eq 0 ] && [ "$placed" = "a on node2, b on node2, c on node2" ]; then
  check "gnt-node evacuate -p node1: a, b and c on node2" pass "$(grep -v '^\s*$' "$STATE/last.out" | tail -n 1 | cut -c1-160)"
  clean_within "gnt-node evacuate" 1
  clean_within "gnt-node evacuate" 2
  for i in a b c; do figures "evac-$i" "$i" node1 node2 "$t0"; done
  guests_ok "gnt-node evacuate"
else
  check "gnt-node evacuate -p node1: a, b and c on node2" fail "exit $rc, $placed: $(last_err)"
fi
