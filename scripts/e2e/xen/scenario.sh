#!/bin/sh
# The scenario, run in dom0 by dom0-init.sh once Xen's daemons are up. Each check is a
# line CHECK<TAB>xen: WHAT<TAB>pass|fail<TAB>detail (TIME<TAB>xen: WHAT<TAB>seconds for
# timings, FACT<TAB>xen: WHAT<TAB>value for what the release runs) in
# /run/e2e-out/results, also echoed on the console as E2E-RESULT lines. It ends with
# upgrade.sh (apt purge, the upgrades from GntCom's earlier releases).
#
# Guests are PV (this emulated CPU has no VMX: Xen offers pv only), 128 MB, Debian's
# kernel (/boot/vmlinux: vmlinuz decompressed at image build, which saves libxc's 11 s
# XZ (Debian 12) or zstd (Debian 13) decompression in every xl create under TCG) and a busybox initramfs (guest-init);
# everything they learn comes back through their console log (xenconsoled --log=guest).
#
# Every xl call has a timeout (xl itself waits up to 40 s for a hotplug script).
# Facts of real Xen 4.17 and 4.20 this relies on (from Xen's tools/hotplug and libxl, and the
# order probe below): xl create returns once every vif's hotplug script ran `online`; on xl
# destroy / reboot / network-detach netback removes the vif BEFORE `offline` runs. Seen here,
# unlike what Xen's sources suggest:
# the backend directory is still there at offline (state=6, every node but
# hotplug-status); libxl removes it only after the script has run. A reboot
# (on_reboot=restart) runs `online` again for a new domid with the same vif spec; Ganeti
# runs /etc/ganeti/xen-ifup-os after xl create only, never after a restart.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
E=/run/e2e
O=/run/e2e-out
R=$O/results
G=/run/e2e-guests
CONS=/var/log/xen/console
mkdir -p "$G" /srv/www/cmd
: > "$R"
E2E_RELEASE=$(cat "$E/release")
. "$E/releases.sh" || exit 1

TAB=$(printf '\t')
console() { echo "$*" > /dev/hvc0; }
log() { echo "[$(date +%T)] $*"; }
check() {   # WHAT pass|fail DETAIL
    d=$(printf '%s' "$3" | tr '\t\n' '  ' | cut -c1-400)
    printf 'CHECK\txen: %s\t%s\t%s\n' "$1" "$2" "$d" >> "$R"
    console "E2E-RESULT CHECK${TAB}xen: $1${TAB}$2${TAB}$d"
    log "CHECK $2: $1 -- $d"
}
timing() {  # WHAT SECONDS
    printf 'TIME\txen: %s\t%s\n' "$1" "$2" >> "$R"
    console "E2E-RESULT TIME${TAB}xen: $1${TAB}$2"
    log "TIME $1: $2"
}
fact() {    # WHAT VALUE: what this release runs (a row of the table's FACT section)
    printf 'FACT\txen: %s\t%s\n' "$1" "$2" >> "$R"
    console "E2E-RESULT FACT${TAB}xen: $1${TAB}$2"
}
step() { console "E2E-STEP $*"; log "=== $*"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# ok CONDITION-EXIT-CODE: pass|fail
pf() { if [ "$1" = 0 ]; then echo pass; else echo fail; fi; }

# after every step: gnt-com check must be clean (polled up to 5 s)
clean() {   # STEP
    i=0
    while :; do
        out=$(gnt-com check 2>&1); rc=$?
        [ $rc = 0 ] && break
        i=$((i + 1)); [ $i -ge 10 ] && break
        sleep 0.5
    done
    check "$1: gnt-com check" "$(pf $rc)" "$(echo "$out" | tr '\n' ';')"
}

# wait_guest NAME WHAT MIN TIMEOUT: waits until the guest's console has MIN lines
# "E2E-GUEST NAME WHAT..."; prints the last one (empty on timeout), status 0 when found;
# with GIVEUP-WHAT GIVEUP-COUNT, gives up as soon as more such lines than COUNT appear
count_guest() { grep -a -c "^E2E-GUEST $1 $2" "$CONS/guest-$1.log" 2>/dev/null || true; }
wait_guest() {   # NAME WHAT MIN TIMEOUT [GIVEUP-WHAT GIVEUP-COUNT]
    t_end=$(( $(date +%s) + $4 ))
    while [ "$(date +%s)" -lt "$t_end" ]; do
        if [ -n "${5:-}" ] && [ "$(count_guest "$1" "$5")" -gt "$6" ]; then
            return 1
        fi
        if [ "$(count_guest "$1" "$2")" -ge "$3" ]; then
            grep -a "^E2E-GUEST $1 $2" "$CONS/guest-$1.log" | tail -n1 | tr -d '\r'
            return 0
        fi
        sleep 1
    done
    return 1
}

# guest_cmd NAME IP ID SCRIPT TIMEOUT: has the guest run SCRIPT (its agent fetches
# /cmd/IP every 2 s); prints its "cmd ID rc=N output" line
guest_cmd() {
    printf 'id=%s\n%s\n' "$3" "$4" > "/srv/www/cmd/$2.tmp"
    mv "/srv/www/cmd/$2.tmp" "/srv/www/cmd/$2"
    wait_guest "$1" "cmd $3 " 1 "$5"
}

# http_get HOST PATH: the body (busybox nc: 5 s connect timeout)
http_get() {
    printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$2" "$1" | timeout 15 busybox nc -w 5 "$1" 80 2>&1 \
        | tr -d '\r' | sed '1,/^$/d'
}

# mkcfg NAME VIFSPEC...: an xl config like the ones Ganeti writes (restart on reboot/crash)
mkcfg() {
    n=$1; shift
    vifs=""
    for v in "$@"; do vifs="$vifs${vifs:+, }'$v'"; done
    cat > "$G/$n.cfg" <<EOF
name = "$n"
type = "pv"
kernel = "/boot/vmlinux"
ramdisk = "$G/initrd.cpio.gz"
extra = "console=hvc0 quiet mitigations=off e2e.name=$n"
memory = 128
vcpus = 1
on_poweroff = "destroy"
on_reboot = "restart"
on_crash = "restart"
vif = [ $vifs ]
EOF
}

# xl_create NAME [-p] / xl_destroy NAME: xl -vvv, each line timestamped (busybox ts) in
# $O/xl-create-NAME.log; the command's time in $took, the hotplug script's own in $hp
# (from libxl's "forking to execute: SCRIPT ACTION" to its next device_hotplug line,
# written when the script has exited)
xl_timed() {   # LOG ACTION XL-ARGS...
    lg=$1 act=$2; shift 2
    t0=$(now)
    { timeout 180 xl -vvv "$@"; echo "xl-exit=$?"; } 2>&1 | busybox ts '%.s' >> "$lg"
    took=$(secs "$t0" "$(now)")
    rc=$(tail -n1 "$lg" | sed -n 's/.*xl-exit=//p')
    hp=$(awk -v act="$act" '
        $0 ~ "forking to execute: .* " act { t0 = $1; next }
        t0 && /device_hotplug: / { printf "%.2f", $1 - t0; exit }' "$lg")
    return "${rc:-1}"
}
xl_create() { : > "$O/xl-create-$1.log"; xl_timed "$O/xl-create-$1.log" online create $2 "$G/$1.cfg"; }
xl_destroy() { xl_timed "$O/xl-destroy-$1.log" offline destroy "$1"; }

channel_ok() {  # IFACE GUEST_IP: the host side of a channel, as the README says
    a=$(ip -o -4 addr show dev "$1" 2>/dev/null | awk '{print $4}')
    r=$(ip route show dev "$1" 2>/dev/null | grep "^$2 " | head -n1)
    [ "$a" = "169.254.169.254/32" ] && [ -n "$r" ] || { echo "$1: addr='$a' route='$r'"; return 1; }
    echo "$1: $a, route $r"
}
# gnt-com's records (status --json): "NAME IP MAC INSTANCE STATE" per channel
records() {
    gnt-com status --json 2>/dev/null | tr -d '\n ' | sed 's/.*"channels":\[\([^]]*\)\].*/\1/' \
        | sed 's/},{/}\n{/g' | grep -o '"name":"[^"]*"' | cut -d'"' -f4 | tr '\n' ' '
}
syslog_mark() { wc -l < /var/log/messages 2>/dev/null || echo 0; }
syslog_since() {   # MARK: GntCom's syslog lines since MARK
    tail -n +"$(( $1 + 1 ))" /var/log/messages 2>/dev/null | grep -a -e vif-gnt-com -e gnt-com \
        | sed 's/^.*dom0 //' | tr '\n' '|'
}

# ====================================================================================
step "the release: Xen, kernel, udev (releases.sh)"
pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo -; }
v_xen=$(xl info 2>/dev/null | awk '/^xen_version/ {print $3}')
v_udev=$(udevadm --version 2>/dev/null | head -n1)
v_kernel=$(uname -r)
fact "Xen" "$v_xen"
fact "dom0 and guest kernel" "$v_kernel"
fact "systemd-udevd" "$v_udev"
fact "dnsmasq" "$(pkgver dnsmasq-base)"
fact "libxenstore4" "$(pkgver libxenstore4)"
case "$v_xen/$v_kernel/${v_udev%%[!0-9]*}" in
    "$E2E_XEN".*/"$E2E_KERNEL_SERIES".*/"$E2E_UDEV") r=pass ;;
    *) r=fail ;;
esac
check "dom0 runs its release's Xen, kernel and udev (releases.sh)" $r \
    "Xen $v_xen, kernel $v_kernel, udev $v_udev (expected $E2E_XEN, $E2E_KERNEL_SERIES, $E2E_UDEV)"

# ====================================================================================
step "install GntCom"
t0=$(now)
dpkg -i "$E/gnt-com.deb" > "$O/dpkg.log" 2>&1; rc=$?
check "dpkg -i gnt-com.deb" "$(pf $rc)" "$(tail -n1 "$O/dpkg.log") ($(secs "$t0" "$(now)") s)"
[ $rc = 0 ] || exit 1
[ -L /etc/xen/scripts/vif-gnt-com ] && [ -x /etc/xen/scripts/vif-gnt-com ]
check "package: /etc/xen/scripts/vif-gnt-com" "$(pf $?)" "$(ls -l /etc/xen/scripts/vif-gnt-com 2>&1 | sed 's/.* \/etc/\/etc/')"
gnt-com --version >> "$O/dpkg.log" 2>&1

# udevd re-reads its rules by itself when a rules directory changes; said explicitly so
# that GntCom's rule (60-gnt-com.rules, when the package has it) is in force from here on
udevadm control --reload
check "package: udev rule in /usr/lib/udev/rules.d" "$( [ -f /usr/lib/udev/rules.d/60-gnt-com.rules ] && echo pass || echo fail)" \
    "$(grep -h RUN /usr/lib/udev/rules.d/60-gnt-com.rules 2>&1 | head -n1)"

# The Ganeti shims, as `gnt-com ganeti enable` puts them in place of /etc/ganeti's (no
# Ganeti in this dom0: its configuration directory is made, with no files to keep)
mkdir -p /etc/ganeti
gnt-com ganeti enable > "$O/ganeti-enable.log" 2>&1; rc=$?
[ $rc = 0 ] && [ -x /etc/ganeti/xen-ifup-os ]
check "gnt-com ganeti enable" "$(pf $?)" \
    "exit $rc: $(tr '\n' ' ' < "$O/ganeti-enable.log"); xen-ifup-os: $(grep -v '^#' /etc/ganeti/xen-ifup-os 2>&1 | grep . | tr '\n' ' ')"
shim="gnt-com ganeti enable's shim"
cp /etc/ganeti/xen-ifup-os "$O/xen-ifup-os" 2>/dev/null
log "xen-ifup-os: $shim"

# dom0's web server on every address (port 80), as ganeti-metad listens
echo "hello from dom0" > /srv/www/hello
busybox httpd -p 80 -h /srv/www || check "dom0 web server" fail "busybox httpd did not start"
# a node that forwards: the channel must stay exclusive all the same
echo 1 > /proc/sys/net/ipv4/ip_forward

# The guests' initramfs
kver=$(cat /etc/e2e-kernel-version)
rm -rf /tmp/initrd && mkdir -p /tmp/initrd/bin /tmp/initrd/sbin /tmp/initrd/lib/modules
cp /bin/busybox /tmp/initrd/bin/busybox
cp "$E/guest-init" /tmp/initrd/init
case $E2E_KMOD_EXT in   # busybox's insmod reads .ko only
    .ko) cp "/lib/modules/$kver/kernel/drivers/net/xen-netfront.ko" /tmp/initrd/lib/modules/ ;;
    .ko.xz) xz -dc "/lib/modules/$kver/kernel/drivers/net/xen-netfront.ko.xz" > /tmp/initrd/lib/modules/xen-netfront.ko ;;
esac
[ -s /tmp/initrd/lib/modules/xen-netfront.ko ] \
    || check "guests' initramfs: xen-netfront$E2E_KMOD_EXT" fail "not in /lib/modules/$kver/kernel/drivers/net (E2E_KMOD_EXT in releases.sh)"
printf '#!/bin/busybox sh\nexec /bin/busybox reboot -f\n' > /tmp/initrd/sbin/reboot
printf '#!/bin/busybox sh\nexec /bin/busybox poweroff -f\n' > /tmp/initrd/sbin/poweroff
chmod 0755 /tmp/initrd/init /tmp/initrd/sbin/*
(cd /tmp/initrd && find . | cpio -o -H newc --quiet | gzip -1) > "$G/initrd.cpio.gz"
clean "after install"


# ====================================================================================
step "two channel guests: g1 (vif with ip=), g2 (Ganeti's form: vifname only)"
IP1=169.254.10.11 MAC1=00:16:3e:00:10:11
IP2=169.254.10.12 MAC2=00:16:3e:00:10:12
mkcfg g1 "mac=$MAC1,ip=$IP1,vifname=gnt.com.0,script=vif-gnt-com"
# Ganeti writes vifname=gnt.com.N and no ip=, then runs xen-ifup-os after xl create
mkcfg g2 "mac=$MAC2,vifname=gnt.com.1,script=vif-gnt-com"

t_g1=$(now)
if xl_create g1; then
    check "xl create g1 (channel vif with ip=)" pass "$took s"
else
    check "xl create g1 (channel vif with ip=)" fail "$(grep -v debug "$O/xl-create-g1.log" | tail -n3)"
fi
timing "xl create, channel vif with ip= (g1)" "$took"
timing "hotplug online within xl create, vif-gnt-com, channel vif (g1)" "$hp"
d=$(channel_ok gnt.com.0 $IP1); check "g1: gnt.com.0 configured by vif-gnt-com online" "$(pf $?)" "$d; records: $(records)"
clean "g1 created"

t_g2=$(now)
if xl_create g2; then
    check "xl create g2 (Ganeti form: vifname=gnt.com.1, no ip=)" pass "$took s"
else
    check "xl create g2 (Ganeti form: vifname=gnt.com.1, no ip=)" fail "$(grep -v debug "$O/xl-create-g2.log" | tail -n3)"
fi
timing "xl create, Ganeti-form channel vif (g2)" "$took"
ip -o link show dev gnt.com.1 > /dev/null 2>&1
check "g2: xl create renamed the vif to gnt.com.1" "$(pf $?)" "$(ip -o link show dev gnt.com.1 2>&1 | cut -d' ' -f2-9)"
# as Ganeti runs it: sh -c, a fresh environment, PATH=$PATH:/sbin:/usr/sbin
t0=$(now)
env -i PATH=/usr/bin:/bin:/sbin:/usr/sbin INTERFACE=gnt.com.1 MODE=routed IP=$IP2 MAC=$MAC2 \
    INSTANCE=g2 INTERFACE_INDEX=0 INTERFACE_UUID=e2e-nic-g2 TAGS= LINK= \
    sh -c /etc/ganeti/xen-ifup-os > "$O/xen-ifup-os-g2.log" 2>&1; rc=$?
check "g2: sh -c /etc/ganeti/xen-ifup-os ($shim)" "$(pf $rc)" "exit $rc in $(secs "$t0" "$(now)") s: $(tr '\n' ' ' < "$O/xen-ifup-os-g2.log")"
d=$(channel_ok gnt.com.1 $IP2); check "g2: gnt.com.1 configured after xen-ifup-os" "$(pf $?)" "$d; records: $(records)"
clean "g2 created, xen-ifup-os run"

# guest_ok NAME IF IP MIN TIMEOUT [NOLEASES]: the guest leased IP and fetched dom0's page
# (the MIN-th time); gives up early when the guest reports more than NOLEASES failed leases
guest_ok() {
    l=$(wait_guest "$1" "http $2" "$4" "$5" "nolease $2" "${6:-0}"); rc=$?
    lease=$(grep -a "^E2E-GUEST $1 \(no\)\?lease $2" "$CONS/guest-$1.log" | tail -n1 | tr -d '\r')
    if [ $rc = 0 ] && [ "$lease" = "E2E-GUEST $1 lease $2 $3" ] && echo "$l" | grep -q 'hello from dom0'; then
        echo "pass"
    else
        echo "fail"
    fi
}
r=$(guest_ok g1 eth0 $IP1 1 240)
check "g1: leases $IP1 from GntCom's dnsmasq, fetches http://169.254.169.254/hello" "$r" \
    "$(grep -a -e 'E2E-GUEST g1 .*lease' -e 'E2E-GUEST g1 http' "$CONS/guest-g1.log" | tr -d '\r' | tr '\n' ';')"
timing "g1: xl create to guest leased and fetched" "$(secs "$t_g1" "$(now)")"
r=$(guest_ok g2 eth0 $IP2 1 240)
check "g2: leases $IP2 from GntCom's dnsmasq, fetches http://169.254.169.254/hello" "$r" \
    "$(grep -a -e 'E2E-GUEST g2 .*lease' -e 'E2E-GUEST g2 http' "$CONS/guest-g2.log" | tr -d '\r' | tr '\n' ';')"
timing "g2: xl create to guest leased and fetched" "$(secs "$t_g2" "$(now)")"
clean "both guests up"

# ====================================================================================
step "exclusive: the guests reach dom0, not each other; dom0 reaches both"
probe='printf "GET / HTTP/1.0\r\n\r\n" | nc -w 5 PEER 80 2>&1; echo "nc-exit=$?"'
out=$(guest_cmd g1 $IP1 g1-to-g2 "$(echo "$probe" | sed "s/PEER/$IP2/")" 60); rc=$?
check "g1 cannot reach g2 ($IP2:80)" \
    "$( [ $rc = 0 ] && ! echo "$out" | grep -q 'guest g2' && echo pass || echo fail)" "${out:-no answer from g1's agent}"
out=$(guest_cmd g2 $IP2 g2-to-g1 "$(echo "$probe" | sed "s/PEER/$IP1/")" 60); rc=$?
check "g2 cannot reach g1 ($IP1:80)" \
    "$( [ $rc = 0 ] && ! echo "$out" | grep -q 'guest g1' && echo pass || echo fail)" "${out:-no answer from g2's agent}"
rm -f /srv/www/cmd/*
for g in "g1 $IP1" "g2 $IP2"; do
    set -- $g
    body=$(http_get "$2" /)
    check "dom0 reaches $1 ($2:80)" "$( [ "$body" = "guest $1" ] && echo pass || echo fail)" "got: $body"
done
clean "isolation probes"

# ====================================================================================
step "xl network-attach / network-detach of a channel vif on running g1"
IP3=169.254.10.21 MAC3=00:16:3e:00:10:21
t0=$(now)
timeout 120 xl -vvv network-attach g1 mac=$MAC3 ip=$IP3 vifname=gnt.com.2 script=vif-gnt-com \
    > "$O/xl-network-attach.log" 2>&1; rc=$?
took=$(secs "$t0" "$(now)")
check "xl network-attach g1 (vifname=gnt.com.2, ip=$IP3)" "$(pf $rc)" "$took s; $(grep -v debug "$O/xl-network-attach.log" | tail -n2 | tr '\n' ' ')"
timing "xl network-attach, channel vif" "$took"
d=$(channel_ok gnt.com.2 $IP3); check "network-attach: gnt.com.2 configured" "$(pf $?)" "$d; records: $(records)"
out=$(guest_cmd g1 $IP1 attach-eth1 '
for i in $(seq 100); do [ -e /sys/class/net/eth1 ] && break; sleep 0.2; done
ip link set eth1 up
udhcpc -i eth1 -s /tmp/udhcpc.sh -q -n -t 20 -T 2 >/dev/null 2>&1
cat /tmp/lease.eth1' 90); rc=$?
check "network-attach: g1 leases $IP3 on its new NIC" \
    "$( [ $rc = 0 ] && echo "$out" | grep -q "rc=0 $IP3" && echo pass || echo fail)" "${out:-no answer from g1's agent}"
rm -f /srv/www/cmd/*
clean "network-attach"

m=$(syslog_mark)
t0=$(now)
timeout 120 xl -vvv network-detach g1 $MAC3 > "$O/xl-network-detach.log" 2>&1; rc=$?
took=$(secs "$t0" "$(now)")
timing "xl network-detach, channel vif" "$took"
i=0
while [ $i -lt 10 ] && { ip link show dev gnt.com.2 > /dev/null 2>&1 || records | grep -q gnt.com.2; }; do
    sleep 0.5; i=$((i + 1))
done
left=$(ip -o link show dev gnt.com.2 2>/dev/null | cut -d' ' -f2; records | grep -o gnt.com.2)
check "xl network-detach g1: gnt.com.2 and its record gone" \
    "$( [ $rc = 0 ] && [ -z "$left" ] && echo pass || echo fail)" \
    "exit $rc in $took s; left: ${left:-nothing}; records: $(records); GntCom logged: $(syslog_since "$m")"
check "network-detach: offline (after netback removed the vif) recognised as gnt.com.2's down call" \
    "$(syslog_since "$m" | grep -q 'vanished without a down call' && echo fail || echo pass)" \
    "GntCom logged: $(syslog_since "$m")"
d=$(channel_ok gnt.com.0 $IP1); check "network-detach: g1's first channel untouched" "$(pf $?)" "$d"
clean "network-detach"

# ====================================================================================
step "xl reboot of both forms (on_reboot=restart: online again for a new domid)"
# reboot_guest NAME IFACE IP: xl reboot, then the same channel, a new lease and fetch
reboot_guest() {
    old=$(xl domid "$1" 2>/dev/null)
    n=$(count_guest "$1" "http eth0")
    nl=$(count_guest "$1" "nolease eth0")
    m=$(syslog_mark)
    t0=$(now)
    timeout 120 xl reboot "$1" > "$O/xl-reboot-$1.log" 2>&1; rc=$?
    new=$old; i=0
    while [ "$new" = "$old" ] || [ -z "$new" ]; do
        i=$((i + 1)); [ $i -gt 120 ] && break
        sleep 1; new=$(xl domid "$1" 2>/dev/null)
    done
    check "xl reboot $1: restarted (domid $old -> ${new:-none})" \
        "$( [ $rc = 0 ] && [ -n "$new" ] && [ "$new" != "$old" ] && echo pass || echo fail)" \
        "exit $rc; $(tr '\n' ' ' < "$O/xl-reboot-$1.log")"
    r=$(guest_ok "$1" eth0 "$3" $((n + 1)) 240 "$nl")
    d="$(channel_ok "$2" "$3"); link: $(ip -o link show dev "$2" 2>&1 | cut -d' ' -f2-9)"
    check "$4 after xl reboot $1: channel back, guest leases $3 and fetches" \
        "$( [ "$r" = pass ] && echo "$d" | grep -q route && echo pass || echo fail)" \
        "$d; guest: $(grep -a -e "E2E-GUEST $1 .*lease" -e "E2E-GUEST $1 http" "$CONS/guest-$1.log" | tail -n2 | tr -d '\r' | tr '\n' ';'); records: $(records); GntCom logged: $(syslog_since "$m")"
    timing "xl reboot $1 to guest leased and fetched again" "$(secs "$t0" "$(now)")"
    check "xl reboot $1: offline of the old domain recognised as its channel's down call" \
        "$(syslog_since "$m" | grep -q 'vanished without a down call' && echo fail || echo pass)" \
        "GntCom logged: $(syslog_since "$m")"
    clean "xl reboot $1"
}
reboot_guest g1 gnt.com.0 $IP1 "channel vif with ip="
reboot_guest g2 gnt.com.1 $IP2 "Ganeti form (no xen-ifup-os after the restart)"
cp /var/log/xen/xl-g1.log /var/log/xen/xl-g2.log "$O/" 2>/dev/null

# ====================================================================================
step "routed vifs: vif-gnt-com beside Xen's vif-route"
# dom0's uplink for routed guests: a dummy interface holding dom0's address (netdev)
ip link add e2e0 type dummy && ip addr add 10.99.0.1/24 dev e2e0 && ip link set e2e0 up
mkcfg r1 "mac=00:16:3e:00:20:02,ip=10.99.0.2,script=vif-gnt-com,gatewaydev=e2e0"
mkcfg r2 "mac=00:16:3e:00:20:03,ip=10.99.0.3,script=vif-route,gatewaydev=e2e0"
# what a routed vif got, with its name and guest IP replaced: comparable across scripts
routed_view() {   # DOMNAME GUEST_IP
    v=vif$(xl domid "$1" 2>/dev/null).0
    printf 'addr=%s proxy_arp=%s state=%s routes=[%s]' \
        "$(ip -o -4 addr show dev "$v" 2>/dev/null | awk '{print $4}' | tr '\n' ' ')" \
        "$(cat /proc/sys/net/ipv4/conf/"$v"/proxy_arp 2>/dev/null)" \
        "$(ip -o link show dev "$v" 2>/dev/null | grep -o 'state [A-Z]*' | cut -d' ' -f2)" \
        "$(ip route show | grep -F " dev $v " | sed -e "s/$v/VIF/g" -e "s/^$2 /GUESTIP /" | tr '\n' ';')"
}
# per script: xl create -p / xl destroy times, and the hotplug script's own online / offline
c1="" c2="" d1="" d2="" h1="" h2="" o1="" o2=""
for round in 1 2 3; do
    # guests created paused (-p): the hotplug scripts run all the same, and a paused
    # guest costs the emulated machine nothing
    xl_create r1 -p; rc1=$?; c1="$c1 $took"; h1="$h1 $hp"
    if [ $round = 1 ]; then
        xl_create r2 -p; rc2=$?; c2="$c2 $took"; h2="$h2 $hp"
        v1=$(routed_view r1 10.99.0.2); v2=$(routed_view r2 10.99.0.3)
        log "vif-gnt-com: $v1"; log "vif-route:   $v2"
        check "routed vif: xl create with vif-gnt-com and with vif-route" \
            "$( [ $rc1 = 0 ] && [ $rc2 = 0 ] && echo pass || echo fail)" "exit $rc1 / $rc2"
        check "routed vif: vif-gnt-com sets up what vif-route does" \
            "$( [ "$v1" = "$v2" ] && echo "$v1" | grep -q 'GUESTIP dev VIF' && echo pass || echo fail)" \
            "vif-gnt-com: $v1 | vif-route: $v2"
        clean "routed vifs up"
        xl_destroy r1; d1="$d1 $took"; o1="$o1 $hp"
        xl_destroy r2; d2="$d2 $took"; o2="$o2 $hp"
        left=$(ip route show | grep -c '^10\.99\.0\.[23] ')
        check "routed vif: xl destroy removes both guests' routes" \
            "$( [ "$left" = 0 ] && echo pass || echo fail)" "$left route(s) left: $(ip route show | grep '^10\.99\.0\.[23] ' | tr '\n' ';')"
        clean "routed vifs destroyed"
    else
        xl_destroy r1; d1="$d1 $took"; o1="$o1 $hp"
        xl_create r2 -p; c2="$c2 $took"; h2="$h2 $hp"
        xl_destroy r2; d2="$d2 $took"; o2="$o2 $hp"
    fi
done
log "xl create -p, vif-gnt-com: $c1 (online:$h1); vif-route: $c2 (online:$h2)"
log "xl destroy,   vif-gnt-com: $d1 (offline:$o1); vif-route: $d2 (offline:$o2)"
timing "xl create -p, routed vif, vif-gnt-com (median of 3)" "$(echo "$c1" | median)"
timing "xl create -p, routed vif, vif-route (median of 3)" "$(echo "$c2" | median)"
timing "xl destroy, routed vif, vif-gnt-com (median of 3)" "$(echo "$d1" | median)"
timing "xl destroy, routed vif, vif-route (median of 3)" "$(echo "$d2" | median)"
timing "hotplug online within xl create, vif-gnt-com (median of 3)" "$(echo "$h1" | median)"
timing "hotplug online within xl create, vif-route (median of 3)" "$(echo "$h2" | median)"
timing "hotplug offline within xl destroy, vif-gnt-com (median of 3)" "$(echo "$o1" | median)"
timing "hotplug offline within xl destroy, vif-route (median of 3)" "$(echo "$o2" | median)"

# ====================================================================================
step "Xen's order of teardown, seen from a hotplug script"
# A probe script records, each time libxl calls it, whether the vif and its backend
# directory (its mac node) still exist, then runs vif-gnt-com. Guest p1 runs (not paused)
# with a routed probe vif (routed: the vif keeps its name), gets a second one attached and
# detached, is rebooted and destroyed.
cat > /etc/xen/scripts/e2e-order-probe <<'PROBE'
#!/bin/sh
i=$(ip link show dev "$vif" > /dev/null 2>&1 && echo present || echo gone)
d=/local/domain/0/$XENBUS_PATH
b=$(xenstore-read "$d/mac" > /dev/null 2>&1 && echo present || echo gone)
n=$(xenstore-list "$d" 2>/dev/null | tr '\n' ' ')
echo "$1: vif $i, backend dir $b ($vif; state=$(xenstore-read "$d/state" 2>/dev/null) nodes: $n)" >> /run/e2e-order-probe.log
exec /etc/xen/scripts/vif-gnt-com "$@"
PROBE
chmod 0755 /etc/xen/scripts/e2e-order-probe
PL=/run/e2e-order-probe.log
mkcfg p1 "mac=00:16:3e:00:20:04,ip=10.99.0.4,script=e2e-order-probe,gatewaydev=e2e0"
echo "== xl create" > $PL
xl_create p1
wait_guest p1 boot 1 120 > /dev/null
sleep 3   # netfront connects after init starts
echo "== xl network-attach" >> $PL
timeout 120 xl network-attach p1 mac=00:16:3e:00:20:05 ip=10.99.0.5 script=e2e-order-probe gatewaydev=e2e0 \
    > "$O/xl-p1.log" 2>&1
sleep 5
echo "== xl network-detach" >> $PL
timeout 120 xl network-detach p1 00:16:3e:00:20:05 >> "$O/xl-p1.log" 2>&1
echo "== xl reboot" >> $PL
old=$(xl domid p1)
timeout 120 xl reboot p1 >> "$O/xl-p1.log" 2>&1
i=0; while [ "$(xl domid p1 2>/dev/null)" = "$old" ] && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
wait_guest p1 boot 2 120 > /dev/null
sleep 3
echo "== xl destroy" >> $PL
xl_destroy p1
cp $PL "$O/"
# order_seen OP: what offline found after OP
order_seen() { sed -n "/^== $1/,/^==/p" $PL | grep '^offline:' | head -n1 | sed 's/ (vif.*//'; }
for op in "xl network-detach" "xl reboot" "xl destroy"; do
    o=$(order_seen "$op")
    check "fact: what offline finds after $op (a running guest)" \
        "$( [ -n "$o" ] && echo pass || echo fail)" "${o:-no offline call seen}; probe log: $(tr '\n' ';' < $PL)"
done
clean "order probe"

# ====================================================================================
step "xl destroy of everything leaves nothing"
m=$(syslog_mark)
xl_destroy g1; rc1=$?; timing "xl destroy, channel vif (g1)" "$took"
timing "hotplug offline within xl destroy, vif-gnt-com, channel vif (g1)" "$hp"
xl_destroy g2; rc2=$?; timing "xl destroy, channel vif (g2)" "$took"
i=0
while :; do
    ifs=$(ip -o link | grep -o 'gnt\.com\.[0-9]*' | tr '\n' ' ')
    recs=$(records)
    out=$(gnt-com check 2>&1); crc=$?
    [ -z "$ifs" ] && [ -z "$recs" ] && [ $crc = 0 ] && break
    i=$((i + 1)); [ $i -ge 10 ] && break
    sleep 0.5
done
check "xl destroy g1 g2: no gnt.com interface, no record, gnt-com check exits 0" \
    "$( [ $rc1 = 0 ] && [ $rc2 = 0 ] && [ -z "$ifs" ] && [ -z "$recs" ] && [ $crc = 0 ] && echo pass || echo fail)" \
    "interfaces: ${ifs:-none}; records: ${recs:-none}; check: $(echo "$out" | tr '\n' ';'); domains: $(xl list | awk 'NR > 2 {print $1}' | tr '\n' ' ')"
check "xl destroy: offline (after netback removed the vif) recognised as each channel's down call" \
    "$(syslog_since "$m" | grep -q 'vanished without a down call' && echo fail || echo pass)" \
    "GntCom logged: $(syslog_since "$m")"
gnt-com dhcp status > "$O/dhcp-status.log" 2>&1
clean "everything destroyed"

# apt purge, and the upgrades from GntCom's earlier releases
. "$E/upgrade.sh"
exit 0
