# lib.sh: helpers shared by node.sh and the scenarios (scenario.sh, upgrade.sh), sourced.
# shellcheck shell=bash disable=SC2034  # (variables used by node.sh and the scenarios)
NODE=node1.e2e.test         NODE_IP=192.0.2.10      # TEST-NET-1, only inside our namespace
CLUSTER=cluster.e2e.test    CLUSTER_IP=192.0.2.100
CONSOLE_DIR=/var/log/e2e          # the guests' serial consoles (files), inside the node
failed=0
# every result line goes to run.sh's --results and to a copy run.sh reads back
result() { printf '%s\n' "$1" | tee -a "$WORK/share/results.tsv" >> "$RESULTS"; }

# in_node CMD...: run CMD in the node's root (chroot) with a clean environment, as Ganeti's
# init scripts would have it
in_node() {
  chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    TERM=dumb DEBIAN_FRONTEND=noninteractive "$@"
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
fact() {  # fact NAME VALUE: what this release runs (a row of the table's FACT section)
  result "$(printf 'FACT\tganeti: %s\t%s' "$1" "${2//$'\t'/ }")"
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

# ---------------------------------------------------------------- Ganeti
STATE=$WORK/share                 # = /mnt inside the node
# ganeti CMD...: a Ganeti command in the node, bounded in time; output in $STATE/last.out
ganeti() {
  in_node timeout 180 "$@" > "$STATE/last.out" 2>&1
  local rc=$?
  cat "$STATE/last.out" >> "$STATE/ganeti.log"
  return $rc
}
last_err() { grep -v '^\s*$' "$STATE/last.out" | tail -n 2 | tr '\n' ' '; }

# init_cluster: a single-node cluster with KVM and the instance communication network.
# gnt-cluster init needs: a node name resolving to a non-loopback address the node owns
# (node.sh: UTS name, veth, /etc/hosts), /var/lock (= /run/lock: our /run is a fresh
# tmpfs) and a free cluster IP (it pings it, then adds it to --master-netdev). It writes
# /var/lib/ganeti, /etc/ganeti, root's ssh keys and known_hosts: all in the overlay. No sshd
# is needed on a single node; it starts the daemons itself through daemon-util (no systemd).
# (init_cluster PREFIX: the time's name starts with PREFIX)
init_cluster() {
  local t0
  t0=$(now)
  ganeti gnt-cluster init --enabled-hypervisors=kvm --enabled-disk-templates=diskless \
      --master-netdev=eth0 --no-etc-hosts "$CLUSTER" \
    || die "${1:-}cluster init" "gnt-cluster init failed: $(last_err)"
  timing "${1:-}cluster init" "$(elapsed "$t0")"
  # the channel: Ganeti creates the instance communication network (169.254.0.0/16, MAC
  # prefix 52:54:00, mode routed, link communication_rt) and connects it to every group
  ganeti gnt-cluster modify --instance-communication-network=gnt-com-net \
    || die "${1:-}cluster init" "instance communication network: $(last_err)"
  # KVM under TCG: qemu-system-x86_64 (Ganeti's default /usr/bin/kvm turns KVM on; there is
  # no /dev/kvm in the node anyway). Diskless guests boot the kernel and initramfs directly.
  # serial_console=false: Ganeti passes "-serial none", so kvm_extra's "-serial file:" is the
  # guest's ttyS1, where the kernel's console and /init's report go. vhost_net=false: 3.0.2's
  # default, while 3.1 defaults to True, which needs /dev/vhost-net (the node has none).
  ganeti gnt-cluster modify -H "kvm:kvm_path=/usr/bin/qemu-system-x86_64,kernel_path=/srv/e2e/guest/vmlinuz,initrd_path=/srv/e2e/guest/initrd.gz,serial_console=false,vhost_net=false,vnc_bind_address=,kernel_args=console=ttyS1 panic=-1" \
    || die "${1:-}cluster init" "hypervisor parameters: $(last_err)"
  # Ganeti's conffiles as dpkg recorded them: " /etc/ganeti/kvm-ifup-os MD5" lines
  # shellcheck disable=SC2016
  in_node dpkg-query -W -f='${Conffiles}\n' ganeti > "$STATE/ganeti.conffiles"
}
# ganeti_files_pristine: the names of /etc/ganeti/{kvm,xen}-ifup-os that are not dpkg's
# (empty: both are Ganeti's own, byte for byte)
ganeti_files_changed() {
  local f sum bad=""
  for f in kvm-ifup-os xen-ifup-os; do
    if [ -L "$R/etc/ganeti/$f" ] || [ ! -f "$R/etc/ganeti/$f" ]; then bad="$bad $f"; continue; fi
    sum=$(md5sum < "$R/etc/ganeti/$f" | cut -d' ' -f1)
    grep -q " /etc/ganeti/$f $sum" "$STATE/ganeti.conffiles" || bad="$bad $f"
  done
  echo "$bad"
}
# shims_in_place: both of /etc/ganeti's files are GntCom's shims (regular, executable,
# running gnt-com-ifup), not Ganeti's files; prints what is not
shims_in_place() {
  local f sum bad=""
  for f in kvm-ifup-os xen-ifup-os; do
    sum=$(md5sum < "$R/etc/ganeti/$f" 2>/dev/null | cut -d' ' -f1)
    { [ -f "$R/etc/ganeti/$f" ] && [ ! -L "$R/etc/ganeti/$f" ] && [ -x "$R/etc/ganeti/$f" ] \
      && grep -q gnt-com-ifup "$R/etc/ganeti/$f" \
      && ! grep -q " /etc/ganeti/$f $sum" "$STATE/ganeti.conffiles"; } \
      || bad="$bad $f: $(ls -l "$R/etc/ganeti/$f" 2>&1 | sed "s|$R||g" | cut -d' ' -f1,9-)"
  done
  echo "$bad"
}

# ---------------------------------------------------------------- the guests
console() { tr -d '\r' < "$R$CONSOLE_DIR/$1.console" 2>/dev/null; }   # the tty writes CR LF
fresh_console() { rm -f "$R$CONSOLE_DIR/$1.console"; }   # before a (re)start: no stale READY
# wait_ready NAME SECONDS: the guest's /init reported READY on its console
wait_ready() { poll "$2" grep -q '^E2E READY' "$R$CONSOLE_DIR/$1.console"; }
channel_ip() {  # the channel is the instance's last NIC
  in_node timeout 60 gnt-instance list --no-headers -o nic.ips "$1" 2>/dev/null | tr ',' '\n' | tail -n 1
}
# guest_get IP PATH: GET http://IP/PATH from the node, over the channel (the guest's httpd)
guest_get() {
  in_node timeout 60 python3 -c '
import sys, urllib.request
print(urllib.request.urlopen("http://%s/%s" % (sys.argv[1], sys.argv[2]), timeout=50).read().decode().strip())
' "$1" "$2" 2>&1 | tail -n 3
}
# add_instance NAME IP: a diskless instance, not started, with a first NIC (routed, IP) and
# the channel (--communication=yes: Ganeti appends it as the last NIC, its IP from the
# instance communication network's pool); its serial console is a file on the node
add_instance() {
  local name=$1 ip=$2
  in_node mkdir -p "$CONSOLE_DIR"
  ganeti gnt-instance add -n "$NODE" -t diskless -o e2e-noop -O "e2e_name=$name" \
    --no-name-check --no-ip-check --no-start --communication=yes \
    --net "0:mode=routed,link=main,ip=$ip" \
    -H "kvm:kvm_extra=-serial file:$CONSOLE_DIR/$name.console" "$name"
}
# boot_report NAME [gntcom]: checks the console's LEASE and METAD lines; prints a one-line
# summary; true if the guest leased its channel address and metad knew it by that address.
# With gntcom the lease must also come from GntCom's dnsmasq, which offers no router
# (Ganeti's offers 169.254.169.254 as the guest's default gateway).
boot_report() {
  local c lease metad
  c=$(console "$1")
  lease=$(echo "$c" | sed -n 's/^E2E LEASE //p' | tail -n 1)
  metad=$(echo "$c" | sed -n 's/^E2E \(NO\)*METAD //p' | tail -n 1)
  echo "lease: ${lease:-none ($(echo "$c" | sed -n 's/^E2E NOLEASE //p' | tail -n 1))}; metad: ${metad:-none}"
  [ -n "$lease" ] && [ "$metad" = "ok name=$1" ] || return 1
  [ "${2:-}" != gntcom ] || [[ "$lease" == *" router=none "* ]]
}
# start_and_check NAME TIMENAME CHECKNAME [gntcom]: gnt-instance startup (timed), boot, report
start_and_check() {
  local t0 rc
  t0=$(now)
  ganeti gnt-instance startup "$1"; rc=$?
  timing "$2" "$(elapsed "$t0")"
  if [ $rc -ne 0 ]; then
    check "$3" fail "gnt-instance startup $1 failed: $(last_err)"
    return 1
  fi
  wait_and_check "$1" "$3" "${4:-}"
}
# wait_and_check NAME CHECKNAME [gntcom]: the guest boots (120 s at most) and reports well
wait_and_check() {
  local d
  if ! wait_ready "$1" 120; then
    check "$2" fail "$1 did not boot in 120 s: $(console "$1" | grep -E '^E2E|Kernel panic' | tail -n 3 | tr '\n' ' ')"
    return 1
  fi
  if d=$(boot_report "$1" "${3:-}"); then check "$2" pass "$d"; else check "$2" fail "$d"; return 1; fi
}
# renew_check NAME IP CHECKNAME: the running guest leases again over its channel, from
# GntCom's dnsmasq (no router offered), and reaches metad
renew_check() {
  local r
  r=$(guest_get "$2" cgi-bin/renew)
  case "$r" in
    *"lease $2/"*" router=none; metad ok name=$1") check "$3" pass "$r";;
    *) check "$3" fail "$r";;
  esac
}

# ---------------------------------------------------------------- GntCom
gnt_com() { in_node timeout 60 gnt-com "$@"; }
# check_clean WHAT [NAME]: `gnt-com check` must be clean within 5 s, with nothing else
# called (the check's name: NAME, else "gnt-com check clean after WHAT")
check_clean() {
  local t0 out name=${2:-gnt-com check clean after $1}
  t0=$(now)
  if poll 5 gnt_com check > /dev/null 2>&1; then
    check "$name" pass "clean after $(elapsed "$t0") s"
  else
    out=$(gnt_com check 2>&1 | tr '\n' ' ' | cut -c1-400)
    check "$name" fail "not clean after 5 s: $out"
  fi
}
# dpkg_in NAME CMD...: a dpkg/apt command in the node (offline: the image holds every
# dependency); output in $STATE/NAME.log; prints its last lines on failure
dpkg_in() {
  local log=$STATE/$1.log; shift
  in_node timeout 300 "$@" > "$log" 2>&1
}
installed_version() {  # the gnt-com version dpkg has installed (empty: none)
  # shellcheck disable=SC2016
  in_node dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' gnt-com 2>/dev/null | awk '$1 == "ii" {print $2}'
}
ganeti_dnsmasq_pids() {  # Ganeti's own dnsmasq: dnsmasq -C /var/run/ganeti/dnsmasq.conf
  local p
  for p in /proc/[0-9]*; do
    tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -q '^dnsmasq -C /var/run/ganeti/dnsmasq.conf' \
      && echo "${p#/proc/}"
  done
}
gntcom_dnsmasq_pids() {  # GntCom's dnsmasq: its config lives in the state directory
  local p
  for p in /proc/[0-9]*; do
    tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -q '^[^ ]*dnsmasq .*gnt-com' && echo "${p#/proc/}"
  done
}
# nothing_left: what a purge must leave of GntCom on the node: nothing (prints what is left:
# the package, its files, config, udev rule, state, Ganeti hooks, the diversion of Ganeti's
# vif script, dnsmasq, policy rules)
nothing_left() {
  local left="" f p
  [ -z "$(installed_version)" ] || left="$left; dpkg: installed"
  # shellcheck disable=SC2016
  in_node dpkg-query -W -f='${db:Status-Abbrev}\n' gnt-com 2>/dev/null | grep -q '^[a-z]c' && left="$left; dpkg: config-files kept"
  # /etc/gnt-com: only what is not the package's may stay, the admin's own hooks (90-e2e)
  p=$(find "$R/etc/gnt-com" ! -type d ! -name 90-e2e 2>/dev/null | sed "s|^$R||" | tr '\n' ' ')
  [ -z "$p" ] || left="$left; /etc/gnt-com: $p"
  # /run/gnt-com: no state; `down --all` keeps the (empty) lock file on purpose, so that a
  # call waiting for the lock is never split from the next one: that alone may stay
  p=$(find "$R/run/gnt-com" ! -type d ! \( -name lock -empty \) 2>/dev/null | sed "s|^$R||" | tr '\n' ' ')
  [ -z "$p" ] || left="$left; /run/gnt-com: $p"
  for f in /usr/lib/gnt-com /usr/sbin/gnt-com /usr/share/gnt-com \
           /usr/lib/udev/rules.d/60-gnt-com.rules /etc/udev/rules.d/60-gnt-com.rules \
           /etc/xen/scripts/vif-gnt-com /etc/ganeti/kvm-ifup-os.gnt-com-orig /etc/ganeti/xen-ifup-os.gnt-com-orig; do
    if [ -e "$R$f" ] || [ -L "$R$f" ]; then
      left="$left; $f$( [ -d "$R$f" ] && echo " ($(cd "$R$f" && find . -mindepth 1 | head -n 5 | tr '\n' ' '))")"
    fi
  done
  p=$(find "$R/etc/ganeti/hooks" -name '*gnt-com*' 2>/dev/null | sed "s|^$R||" | tr '\n' ' ')
  [ -z "$p" ] || left="$left; Ganeti hooks: $p"
  # ganeti enable diverts Ganeti's Xen vif script (dpkg-divert --local) to put vif-gnt-com
  # there: the diversion gone and Ganeti's files as dpkg installed them
  p=$(in_node dpkg-divert --list 2>/dev/null | grep -e gnt-com -e vif-ganeti-metad | tr '\n' ' ')
  [ -z "$p" ] || left="$left; diversions: $p"
  p=$(in_node dpkg --verify ganeti 2>/dev/null | grep ' /usr/' | tr '\n' ' ')
  [ -z "$p" ] || left="$left; Ganeti's files changed: $p"
  p=$(gntcom_dnsmasq_pids | tr '\n' ' ')
  [ -z "$p" ] || left="$left; GntCom's dnsmasq: pid $p"
  p=$(ip rule show | grep -E '^1692[0-3]:' | tr '\n' ' ')
  [ -z "$p" ] || left="$left; policy rules: $p"
  echo "${left#; }"
}

# ---------------------------------------------------------------- udevd
# the chroot's real systemd-udevd in the node's namespaces (the kernel sends a net device's
# uevents only to listeners in the device's network namespace), reading only GntCom's rule:
# tmpfs over the rule directories hides every other rule, so nothing else acts on any
# device. hide_udev_rules first (before dpkg puts GntCom's rule there), then start_udevd.
hide_udev_rules() {
  mount -t tmpfs -o mode=0755 udev-rules "$R/usr/lib/udev/rules.d"
  mount -t tmpfs -o mode=0755 udev-rules "$R/etc/udev/rules.d"
}
start_udevd() {
  # E2E_GANETI_NO_UDEVD=1: a control run without udevd, where the checks after a stop must fail
  [ -n "${E2E_GANETI_NO_UDEVD:-}" ] && { echo "e2e: ganeti: control run: no udevd" >&2; return; }
  in_node /lib/systemd/systemd-udevd --resolve-names=never --debug > "$STATE/udevd.log" 2>&1 &
  poll 10 test -S "$R/run/udev/control" || die "udevd" "systemd-udevd did not start: $(tail -n 2 "$STATE/udevd.log")"
}
