# scenario.sh: the Ganeti scenario, sourced by node.sh once the node's namespaces, overlay,
# /dev and network are in place. Each step appends CHECK/TIME lines to $RESULTS.
# shellcheck shell=bash

CONSOLE_DIR=/var/log/e2e          # the guests' serial consoles (files), inside the node
STATE=$WORK/share                 # = /mnt inside the node

# ganeti CMD...: a Ganeti command in the node, bounded in time; output in $STATE/last.out
ganeti() {
  in_node timeout 180 "$@" > "$STATE/last.out" 2>&1
  local rc=$?
  cat "$STATE/last.out" >> "$STATE/ganeti.log"
  return $rc
}
last_err() { grep -v '^\s*$' "$STATE/last.out" | tail -n 2 | tr '\n' ' '; }

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

# ---------------------------------------------------------------- GntCom
gnt_com() { in_node timeout 60 gnt-com "$@"; }
# check_clean WHAT: `gnt-com check` must be clean within 5 s, with nothing else called
check_clean() {
  local t0 out
  t0=$(now)
  if poll 5 gnt_com check > /dev/null 2>&1; then
    check "gnt-com check clean after $1" pass "clean after $(elapsed "$t0") s"
  else
    out=$(gnt_com check 2>&1 | tr '\n' ' ' | cut -c1-400)
    check "gnt-com check clean after $1" fail "not clean after 5 s: $out"
  fi
}
ganeti_dnsmasq_pids() {  # Ganeti's own dnsmasq: dnsmasq -C /var/run/ganeti/dnsmasq.conf
  local p
  for p in /proc/[0-9]*; do
    tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -q '^dnsmasq -C /var/run/ganeti/dnsmasq.conf' \
      && echo "${p#/proc/}"
  done
}
# udevd: the chroot's real systemd-udevd in the node's namespaces (the kernel sends a net
# device's uevents only to listeners in the device's network namespace), reading only
# GntCom's rule: tmpfs over the rule directories hides every other rule, so nothing else
# acts on any device.
start_udevd() {
  local rule=$STATE/60-gnt-com.rules f
  for f in "$R/etc/udev/rules.d/60-gnt-com.rules" "$R/usr/lib/udev/rules.d/60-gnt-com.rules"; do
    [ -f "$f" ] && { cp "$f" "$rule"; break; }
  done
  mount -t tmpfs -o mode=0755 udev-rules "$R/usr/lib/udev/rules.d"
  mount -t tmpfs -o mode=0755 udev-rules "$R/etc/udev/rules.d"
  if [ -f "$rule" ]; then
    cp "$rule" "$R/usr/lib/udev/rules.d/"
    check "the .deb ships the udev rule" pass "$(grep -v '^#' "$rule" | grep . | head -n 1 | cut -c1-200)"
  else
    check "the .deb ships the udev rule" fail "no 60-gnt-com.rules in the package: a stopped guest's channel is never removed"
  fi
  # E2E_GANETI_NO_UDEVD=1: a control run without udevd, where the checks after a stop must fail
  [ -n "${E2E_GANETI_NO_UDEVD:-}" ] && { echo "e2e: ganeti: control run: no udevd" >&2; return; }
  in_node /lib/systemd/systemd-udevd --resolve-names=never --debug > "$STATE/udevd.log" 2>&1 &
  poll 10 test -S "$R/run/udev/control" || die "udevd" "systemd-udevd did not start: $(tail -n 2 "$STATE/udevd.log")"
}

# ================================================================= 0. the cluster
# gnt-cluster init needs: a node name resolving to a non-loopback address the node owns
# (node.sh: UTS name, veth, /etc/hosts), /var/lock (= /run/lock: our /run is a fresh
# tmpfs) and a free cluster IP (it pings it, then adds it to --master-netdev). It writes
# /var/lib/ganeti, /etc/ganeti, root's ssh keys and known_hosts: all in the overlay. No sshd
# is needed on a single node; it starts the daemons itself through daemon-util (no systemd).
t0=$(now)
ganeti gnt-cluster init --enabled-hypervisors=kvm --enabled-disk-templates=diskless \
    --master-netdev=eth0 --no-etc-hosts "$CLUSTER" \
  || die "cluster init" "gnt-cluster init failed: $(last_err)"
timing "cluster init" "$(elapsed "$t0")"
# the channel: Ganeti creates the instance communication network (169.254.0.0/16, MAC
# prefix 52:54:00, mode routed, link communication_rt) and connects it to every group
ganeti gnt-cluster modify --instance-communication-network=gnt-com-net \
  || die "cluster init" "instance communication network: $(last_err)"
# KVM under TCG: qemu-system-x86_64 (Ganeti's default /usr/bin/kvm turns KVM on; there is
# no /dev/kvm in the node anyway). Diskless guests boot the kernel and initramfs directly.
# serial_console=false: Ganeti passes "-serial none", so kvm_extra's "-serial file:" is the
# guest's ttyS1, where the kernel's console and /init's report go.
ganeti gnt-cluster modify -H "kvm:kvm_path=/usr/bin/qemu-system-x86_64,kernel_path=/srv/e2e/guest/vmlinuz,initrd_path=/srv/e2e/guest/initrd.gz,serial_console=false,vnc_bind_address=,kernel_args=console=ttyS1 panic=-1" \
  || die "cluster init" "hypervisor parameters: $(last_err)"
check "cluster init" pass "$CLUSTER on $NODE, KVM (TCG), instance communication network gnt-com-net"

# ================================================================= a. Ganeti's own scripts
# Ganeti's kvm-ifup-os (sourced by kvm-ifup for the gnt.com.N tap) addresses it, routes the
# guest's IP, rewrites /var/run/ganeti/dnsmasq.{conf,hosts} and restarts its own dnsmasq.
add_instance a 192.0.2.101 || die "instance boot" "gnt-instance add a: $(last_err)"
start_and_check a "instance start with Ganeti's scripts" \
    "a with Ganeti's scripts: leases its channel IP and reaches metad" \
  || die "instance boot" "instance a does not work with Ganeti's own scripts"
ip_a=$(channel_ip a)
r=$(guest_get "$ip_a" cgi-bin/id)
if [ "$r" = "id a" ]; then check "node reaches a over the channel (Ganeti's scripts)" pass "$ip_a answers: $r"
else check "node reaches a over the channel (Ganeti's scripts)" fail "$ip_a: $r"; fi
gdm=$(ganeti_dnsmasq_pids)

# ================================================================= b. GntCom in
cp "$DEB" "$STATE/gnt-com.deb"
# offline (the node has no way out): the image already holds dnsmasq-base, its dependency
if in_node timeout 300 dpkg -i /mnt/gnt-com.deb > "$STATE/dpkg.log" 2>&1 \
   || in_node timeout 300 apt-get install -f -y --no-download >> "$STATE/dpkg.log" 2>&1; then
  check "install the .deb in the node (dpkg -i)" pass "$(basename "$DEB")"
else
  check "install the .deb in the node (dpkg -i)" fail "$(tail -n 2 "$STATE/dpkg.log" | tr '\n' ' ')"
  die "gnt-com install" "dpkg -i $(basename "$DEB") failed"
fi
start_udevd
# Ganeti's conffiles as dpkg recorded them: " /etc/ganeti/kvm-ifup-os MD5" lines
# shellcheck disable=SC2016
in_node dpkg-query -W -f='${Conffiles}\n' ganeti > "$STATE/ganeti.conffiles"

# Installed but not yet enabled: Ganeti's own dnsmasq still serves gnt.com.*, and check
# names it (its pid, its command, what to run) rather than saying ok.
out=$(gnt_com check 2>&1)
if [ -n "$gdm" ] && echo "$out" | grep -q "another DHCP server answers the guests on the channel interfaces: pid $gdm (dnsmasq -C /var/run/ganeti/dnsmasq.conf)"; then
  check "before enable, gnt-com check names Ganeti's dnsmasq" pass "pid $gdm: $(echo "$out" | grep -o "it is Ganeti's own dnsmasq: run '[^']*'" | head -n 1)"
else
  check "before enable, gnt-com check names Ganeti's dnsmasq" fail "$(echo "$out" | tr '\n' ' ' | cut -c1-400)"
fi
if in_node timeout 120 gnt-com ganeti enable > "$STATE/enable.out" 2>&1; then
  check "gnt-com ganeti enable" pass "$(tail -n 1 "$STATE/enable.out")"
else
  check "gnt-com ganeti enable" fail "exit $?: $(tail -n 2 "$STATE/enable.out" | tr '\n' ' ')"
fi
# the shims: executable, running gnt-com-ifup, no longer Ganeti's files
shims=ok
for f in kvm-ifup-os xen-ifup-os; do
  sum=$(md5sum < "$R/etc/ganeti/$f" | cut -d' ' -f1)
  { [ -x "$R/etc/ganeti/$f" ] && grep -q gnt-com-ifup "$R/etc/ganeti/$f" \
    && ! grep -q " /etc/ganeti/$f $sum" "$STATE/ganeti.conffiles"; } || shims="$f is not GntCom's shim"
done
if [ "$shims" = ok ]; then check "enable: kvm-ifup-os and xen-ifup-os are GntCom's shims" pass "both run gnt-com-ifup"
else check "enable: kvm-ifup-os and xen-ifup-os are GntCom's shims" fail "$shims"; fi
st=$(gnt_com status 2>&1)
echo "$st" > "$STATE/status-after-enable.txt"
if echo "$st" | grep -q "$ip_a"; then check "enable: a adopted (gnt-com status)" pass "$(echo "$st" | grep "$ip_a" | head -n 1 | tr -s ' ' | cut -c1-200)"
else check "enable: a adopted (gnt-com status)" fail "$ip_a not in gnt-com status: $(echo "$st" | tr '\n' ' ' | cut -c1-300)"; fi
left=""
for p in $gdm $(ganeti_dnsmasq_pids); do [ -d "/proc/$p" ] && left="$left $p"; done
if [ -n "$gdm" ] && [ -z "$left" ]; then check "enable: Ganeti's dnsmasq gone" pass "pid $gdm ended"
elif [ -z "$gdm" ]; then check "enable: Ganeti's dnsmasq gone" fail "Ganeti's dnsmasq was not running before"
else check "enable: Ganeti's dnsmasq gone" fail "still running: pid$left"; fi
if out=$(gnt_com check 2>&1); then check "gnt-com check clean after enable" pass "clean"
else check "gnt-com check clean after enable" fail "$(echo "$out" | tr '\n' ' ' | cut -c1-400)"; fi

# ================================================================= c. a second guest, GntCom's
add_instance b 192.0.2.102 || die "instance boot" "gnt-instance add b: $(last_err)"
start_and_check b "instance start with GntCom" "b with GntCom: leases from GntCom's dnsmasq and reaches metad" gntcom
ip_b=$(channel_ip b)
# a, booted under Ganeti's dnsmasq, leases again (now from GntCom's) and reaches metad
r=$(guest_get "$ip_a" cgi-bin/renew)
case "$r" in
  *"lease $ip_a/"*" router=none; metad ok name=a") check "a with GntCom: leases again, from GntCom's dnsmasq, and reaches metad" pass "$r";;
  *) check "a with GntCom: leases again, from GntCom's dnsmasq, and reaches metad" fail "$r";;
esac
# exclusive: neither guest reaches the other, directly (on-link, as the /16 lease says) nor
# through the host (the node forwards: ip_forward=1); "host=reached" proves the probe works
probe() {  # probe NAME IP OTHER_IP
  local r
  r=$(guest_get "$2" "cgi-bin/probe?$3")
  case "$r" in
    "host=reached direct=unreachable via-host=unreachable") check "$1 cannot reach the other guest ($3)" pass "$r";;
    *) check "$1 cannot reach the other guest ($3)" fail "$r";;
  esac
}
probe a "$ip_a" "$ip_b"
probe b "$ip_b" "$ip_a"

# ================================================================= d. Ganeti's life cycle
# Ganeti 3.0 never calls a down script: a stopped guest's channel goes through GntCom's udev
# rule on the tap's removal. After each step `gnt-com check` alone must turn clean in 5 s.
# reboot (default --type=hard: ACPI shutdown, then a new qemu with a new tap)
t0=$(now)
fresh_console b
if ganeti gnt-instance reboot --shutdown-timeout=30 b; then
  timing "instance reboot" "$(elapsed "$t0")"
  check_clean "gnt-instance reboot b"
  wait_and_check b "b after reboot: leases and reaches metad" gntcom
else check "gnt-instance reboot b" fail "$(last_err)"; fi
# shutdown: qemu's system_powerdown -> the guest's acpid -> poweroff (no kill after the timeout)
t0=$(now)
if ganeti gnt-instance shutdown --timeout=30 b; then
  timing "instance shutdown (ACPI)" "$(elapsed "$t0")"
  check_clean "gnt-instance shutdown b"
else check "gnt-instance shutdown b" fail "$(last_err)"; fi
fresh_console b
if ganeti gnt-instance startup b; then
  check_clean "gnt-instance startup b"
  wait_and_check b "b after startup: leases and reaches metad" gntcom
else check "gnt-instance startup b" fail "$(last_err)"; fi
for i in a b; do
  if ganeti gnt-instance remove -f --shutdown-timeout=30 "$i"; then check_clean "gnt-instance remove $i"
  else check "gnt-instance remove $i" fail "$(last_err)"; fi
done

# ================================================================= e. GntCom out
if in_node timeout 120 gnt-com ganeti disable > "$STATE/disable.out" 2>&1; then
  check "gnt-com ganeti disable" pass "$(tail -n 1 "$STATE/disable.out")"
else
  check "gnt-com ganeti disable" fail "exit $?: $(tail -n 2 "$STATE/disable.out" | tr '\n' ' ')"
fi
bad=""
for f in kvm-ifup-os xen-ifup-os; do
  sum=$(md5sum < "$R/etc/ganeti/$f" | cut -d' ' -f1)
  grep -q " /etc/ganeti/$f $sum" "$STATE/ganeti.conffiles" || bad="$bad $f"
done
if [ -z "$bad" ]; then check "disable: kvm-ifup-os and xen-ifup-os are Ganeti's again" pass "md5sums match dpkg's conffiles"
else check "disable: kvm-ifup-os and xen-ifup-os are Ganeti's again" fail "differ from dpkg's md5sum:$bad"; fi

# shellcheck disable=SC2154  # (failed: set in lib.sh)
exit "$failed"
