# scenario.sh: the Ganeti scenario, sourced by node.sh once the node's namespaces, overlay,
# /dev and network are in place. Each step appends CHECK/TIME lines to $RESULTS.
# shellcheck shell=bash

# What this release runs (rows of the table's FACT section), and the facts releases.sh
# promises: the release's Ganeti, udev and kernel series.
pkgver() {  # the installed version of a package in the node, "-" when absent
  # shellcheck disable=SC2016
  in_node dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo -
}
v_ganeti=$(pkgver ganeti) v_udev=$(in_node udevadm --version 2>/dev/null | head -n 1)
v_kernel=$(cat "$R/srv/e2e/guest/kernel-version" 2>/dev/null)
fact "Ganeti" "$v_ganeti"
fact "systemd-udevd" "$v_udev"
fact "qemu" "$(pkgver qemu-system-x86)"
fact "dnsmasq" "$(pkgver dnsmasq-base)"
fact "guest kernel" "$v_kernel"
fact "glibc" "$(pkgver libc6)"
fact "lintian" "$(pkgver lintian)"
up=${v_ganeti#*:}; up=${up%-*}; up=${up%+dfsg*}
if [ "$up" = "$E2E_GANETI" ] && [ "${v_udev%%[!0-9]*}" = "$E2E_UDEV" ] \
   && case $v_kernel in "$E2E_KERNEL_SERIES".*) true;; *) false;; esac; then
  check "the node runs its release's Ganeti, udev and kernel (releases.sh)" pass "Ganeti $v_ganeti, udev $v_udev, guest kernel $v_kernel"
else
  check "the node runs its release's Ganeti, udev and kernel (releases.sh)" fail \
    "expected Ganeti $E2E_GANETI, udev $E2E_UDEV, kernel $E2E_KERNEL_SERIES.*; got Ganeti $v_ganeti, udev $v_udev, kernel $v_kernel"
fi

# ================================================================= 0. the cluster
init_cluster
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
# The package as this release's lintian sees it (run in the release's root): no error, no
# warning (informational tags are not complaints).
if in_node timeout 300 lintian --fail-on error,warning /mnt/gnt-com.deb > "$STATE/lintian.log" 2>&1; then
  check "the .deb: the release's lintian finds no error, no warning" pass "lintian $(pkgver lintian): no error or warning tag"
else
  check "the .deb: the release's lintian finds no error, no warning" fail \
    "lintian $(pkgver lintian): $(grep -E '^[EW]: ' "$STATE/lintian.log" | head -n 6 | tr '\n' ' ')$(grep -vE '^[EWIPN]: |root privileges' "$STATE/lintian.log" | head -n 2 | tr '\n' ' ')"
fi
# udevd sees only GntCom's rule, which dpkg puts into the (hidden) rule directory
hide_udev_rules
# offline (the node has no way out): the image already holds dnsmasq-base, its dependency
if dpkg_in dpkg dpkg -i /mnt/gnt-com.deb; then
  check "install the .deb in the node (dpkg -i)" pass "$(basename "$DEB")"
else
  check "install the .deb in the node (dpkg -i)" fail "$(tail -n 2 "$STATE/dpkg.log" | tr '\n' ' ')"
  die "gnt-com install" "dpkg -i $(basename "$DEB") failed"
fi
rule=$R/usr/lib/udev/rules.d/60-gnt-com.rules
if [ -f "$rule" ]; then
  check "the .deb ships the udev rule (/usr/lib/udev/rules.d)" pass "$(grep -v '^#' "$rule" | grep . | head -n 1 | cut -c1-200)"
else
  check "the .deb ships the udev rule (/usr/lib/udev/rules.d)" fail \
    "no /usr/lib/udev/rules.d/60-gnt-com.rules: a stopped guest's channel is never removed ($(in_node dpkg -L gnt-com | grep rules | tr '\n' ' '))"
fi
start_udevd

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
bad=$(shims_in_place)
if [ -z "$bad" ]; then check "enable: kvm-ifup-os and xen-ifup-os are GntCom's shims" pass "both run gnt-com-ifup"
else check "enable: kvm-ifup-os and xen-ifup-os are GntCom's shims" fail "not GntCom's shims:$bad"; fi
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
renew_check a "$ip_a" "a with GntCom: leases again, from GntCom's dnsmasq, and reaches metad"
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
# b stays up for the end: `ganeti disable` and the purge with a guest running
if ganeti gnt-instance remove -f --shutdown-timeout=30 a; then check_clean "gnt-instance remove a"
else check "gnt-instance remove a" fail "$(last_err)"; fi

# ================================================================= e. GntCom out, b running
# disable hands b's live channel to Ganeti's scripts: its address and route stay
if in_node timeout 120 gnt-com ganeti disable > "$STATE/disable.out" 2>&1; then
  check "gnt-com ganeti disable" pass "$(tail -n 1 "$STATE/disable.out")"
else
  check "gnt-com ganeti disable" fail "exit $?: $(tail -n 2 "$STATE/disable.out" | tr '\n' ' ')"
fi
bad=$(ganeti_files_changed)
if [ -z "$bad" ]; then check "disable: kvm-ifup-os and xen-ifup-os are Ganeti's again" pass "md5sums match dpkg's conffiles"
else check "disable: kvm-ifup-os and xen-ifup-os are Ganeti's again" fail "differ from dpkg's md5sum:$bad"; fi
if_b=$(ip -o route show "$ip_b/32" | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n 1)
addr_b=$(ip -o -4 addr show dev "${if_b:-none}" 2>/dev/null | awk '{print $4}')
if [ "$addr_b" = 169.254.169.254/32 ]; then check "disable: b's channel handed to Ganeti (address and route kept)" pass "$if_b: $addr_b, route $ip_b"
else check "disable: b's channel handed to Ganeti (address and route kept)" fail "route to $ip_b: dev ${if_b:-none}; address: ${addr_b:-none}"; fi

# apt purge: GntCom's prerm (nothing enabled for Ganeti any more: `ganeti disable --quiet`
# says nothing; `down --all` takes what is GntCom's), then dpkg's purge: nothing is left
if dpkg_in purge apt-get purge -y gnt-com; then
  check "apt-get purge gnt-com (after disable, b running)" pass "$(grep -E '^(Purging|Removing)' "$STATE/purge.log" | tr '\n' ' ')"
else
  check "apt-get purge gnt-com (after disable, b running)" fail "$(tail -n 3 "$STATE/purge.log" | tr '\n' ' ')"
fi
left=$(nothing_left)
if [ -z "$left" ]; then check "purge: nothing of GntCom left (package, config, udev rule, state, Ganeti hooks and vif script, dnsmasq, policy rules)" pass "none"
else check "purge: nothing of GntCom left (package, config, udev rule, state, Ganeti hooks and vif script, dnsmasq, policy rules)" fail "left: $left"; fi
bad=$(ganeti_files_changed)
if [ -z "$bad" ]; then check "purge: kvm-ifup-os and xen-ifup-os still Ganeti's" pass "md5sums match dpkg's conffiles"
else check "purge: kvm-ifup-os and xen-ifup-os still Ganeti's" fail "differ from dpkg's md5sum:$bad"; fi
# the node is Ganeti's again: b's next start runs Ganeti's own scripts and dnsmasq
fresh_console b
if ganeti gnt-instance reboot --shutdown-timeout=30 b; then
  wait_and_check b "after the purge, b with Ganeti's scripts again: leases and reaches metad"
else check "after the purge, b with Ganeti's scripts again: leases and reaches metad" fail "gnt-instance reboot b: $(last_err)"; fi

# shellcheck disable=SC2154  # (failed: set in lib.sh)
exit "$failed"
