#!/bin/sh
# make demo: the communication channel end to end for both hypervisors, in a throwaway sandbox.
#
# Three network namespaces stand in for a host and two guests.
#  - KVM: the real qemu runs in the "host" with our gnt-com-ifup/gnt-com-ifdown as its tap
#    script/downscript; a second tap on the same qemu hub is moved into the KVM guest's
#    namespace and plays the guest's NIC.
#  - Xen: no hypervisor runs here, so a veth pair stands in for netback (host end vif7.0,
#    the other end in the Xen guest's namespace) and our own xenstore server stands in for
#    xenstored. The backend nodes are written with Debian's xenstore-write, then
#    vif-gnt-com online runs exactly as libxl runs a vif hotplug script.
# Both guests lease their address by DHCP from GntCom's dnsmasq and fetch metadata from a
# web server on 169.254.169.254; the host opens a connection back to the KVM guest. The
# demo ends with one table, then takes both guests down (vif-gnt-com offline, qemu quits).
# Everything lives in the namespaces and a temporary directory and is removed on exit,
# Ctrl-C and SIGTERM included: the host's own network is never touched.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
[ "$(id -u)" = 0 ] || { echo "demo: run as root (network namespaces, taps)" >&2; exit 1; }
for tool in ip qemu-system-x86_64 busybox /usr/sbin/dnsmasq xenstore-write xenstore-read xenstore-ls out/tools/xenstored; do
    command -v "$tool" >/dev/null || [ -x "$tool" ] || { echo "demo: $tool is missing: run 'make demo' as root" >&2; exit 1; }
done

host=gcdemo-host-$$
kvm_guest=gcdemo-kvm-$$
xen_guest=gcdemo-xen-$$
# Under /run, not /tmp: a world-writable directory on the hooks' path would make GntCom refuse them.
work=$(mktemp -d /run/gnt-com-demo.XXXXXX)
chmod 755 "$work"
qemu_pid=
store_pid=
. scripts/sandbox.sh
cleanup() {
    rc=$?
    trap - EXIT
    trap "" INT TERM   # a second Ctrl-C must not cut the clean-up short
    [ "$rc" = 0 ] || echo "demo: stopped (exit $rc): removing the sandbox" >&2
    [ -z "$qemu_pid" ] || kill -9 "$qemu_pid" 2>/dev/null || true
    [ -z "$store_pid" ] || kill "$store_pid" 2>/dev/null || true
    for ns in "$host" "$kvm_guest" "$xen_guest"; do drop_ns "$ns"; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
in_host() { ip netns exec "$host" env GNT_COM_CONF="$work/gnt-com.conf" "$@"; }
xs() { XENSTORED_PATH="$work/xenstored.socket" "$@"; }
ms() { awk -v us="$(cat "$1")" 'BEGIN { printf "%.1f", us / 1000 }'; }

KVM_IP=169.254.10.20
KVM_MAC=52:54:00:de:00:01
XEN_IP=169.254.10.30
XEN_MAC=00:16:3e:00:07:00
XEN_VIFNAME=gnt.com.1   # the vif spec's vifname=; qemu's tap takes gnt.com.0 first
B=backend/vif/7/0       # XENBUS_PATH of domain 7's first vif

mkdir -p "$work/hooks/ifup.d" "$work/hooks/ifdown.d" "$work/www" "$work/bin"
cat > "$work/gnt-com.conf" <<CONF
# The demo's GntCom: defaults (DHCP by GntCom's own dnsmasq), but its state and hooks in the sandbox.
state_dir = $work/run
hooks_dir = $work/hooks
syslog_socket = off
CONF
cp scripts/hooks/ifup.d/50-log-example "$work/hooks/ifup.d/50-log"
cp scripts/hooks/ifdown.d/50-log-example "$work/hooks/ifdown.d/50-log"
echo "instance-id: demo" > "$work/www/meta-data"

# timed FILE CMD...: runs CMD and writes how long it took (us) to FILE, for the table.
cat > "$work/bin/timed" <<'SH'
#!/bin/sh
file=$1; shift
start=$(date +%s%N)
rc=0
"$@" || rc=$?
echo $((($(date +%s%N) - start) / 1000)) > "$file"
exit $rc
SH
# qemu's script= and downscript=: our executables, timed.
printf '#!/bin/sh\nexec %s %s %s "$@"\n' "$work/bin/timed" "$work/kvm-up.us" "$root/out/gnt-com-ifup" > "$work/bin/qemu-ifup"
printf '#!/bin/sh\nexec %s %s %s "$@"\n' "$work/bin/timed" "$work/kvm-down.us" "$root/out/gnt-com-ifdown" > "$work/bin/qemu-ifdown"
# The guests' DHCP client script: configures the lease and notes the address.
cat > "$work/bin/udhcpc.script" <<'SH'
#!/bin/sh
[ "$1" = bound ] || exit 0
ip addr add "$ip/$mask" dev "$interface"
echo "$ip" > "$LEASE_FILE"
echo "  leased $ip/$mask from $serverid; router option: '${router:-none}', DNS option: '${dns:-none}'"
SH
chmod 755 "$work/bin/"*

# lease NS IFACE NAME: the guest in NS asks for its address by DHCP (the lease, or "failed")
lease() {
    if ip netns exec "$1" env LEASE_FILE="$work/$3.lease" busybox udhcpc -i "$2" -f -q -n -t 5 -T 1 -s "$work/bin/udhcpc.script" >&2; then
        cat "$work/$3.lease"
    else
        echo "  no lease" >&2
        echo failed
    fi
}
# fetch NS NAME: the guest in NS fetches http://169.254.169.254/meta-data (OK or failed)
# (busybox 1.35 wget crashes with -T: timeout(1) bounds it instead)
fetch() {
    if ip netns exec "$1" timeout 10 busybox wget -q -O "$work/$2.http" http://169.254.169.254/meta-data; then
        sed 's/^/  got: /' "$work/$2.http" >&2
        echo OK
    else
        echo "  no answer" >&2
        echo failed
    fi
}
# iface IP: the host interface that routes to IP
iface() { ip -n "$host" -4 route show "$1" | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -1; }

step "Sandbox: namespaces $host (the host), $kvm_guest (a KVM guest), $xen_guest (a Xen guest)"
for ns in "$host" "$kvm_guest" "$xen_guest"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
done

step "A web service on the host's channel address, 169.254.169.254:80"
# Listening on every address: the channel address appears only once a guest's channel is up.
ip netns exec "$host" busybox httpd -p 80 -h "$work/www"

# ---- KVM
step "KVM: qemu starts with script=gnt-com-ifup downscript=gnt-com-ifdown (IP=$KVM_IP MAC=$KVM_MAC)"
echo "(each script is run through $work/bin/timed, which notes how long it took for the table)"
# Started directly, not through in_host, so that $! is qemu itself. qemu warns that hub 0
# has no NICs: the hub joins two taps, which is all the demo needs.
ip netns exec "$host" env GNT_COM_CONF="$work/gnt-com.conf" IP=$KVM_IP MAC=$KVM_MAC INSTANCE=demo-kvm-vm \
    qemu-system-x86_64 -machine none -nodefaults -display none -monitor none \
    -netdev tap,id=chan,ifname=tap0,script="$work/bin/qemu-ifup",downscript="$work/bin/qemu-ifdown" \
    -netdev tap,id=nic,ifname=guestnic,script=no,downscript=no \
    -netdev hubport,id=p0,hubid=0,netdev=chan \
    -netdev hubport,id=p1,hubid=0,netdev=nic &
qemu_pid=$!
i=0
until [ -s "$work/kvm-up.us" ] && ip -n "$host" link show guestnic >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 200 ] || { echo "demo: qemu did not bring the channel up" >&2; exit 1; }
    kill -0 "$qemu_pid" 2>/dev/null || { echo "demo: qemu exited" >&2; exit 1; }
    sleep 0.05
done
kvm_if=$(iface $KVM_IP)
ip -n "$host" -4 addr show dev "$kvm_if"
ip -n "$host" route show dev "$kvm_if"

step "KVM: the guest's NIC (qemu's second tap) moves into the KVM guest's namespace"
ip -n "$host" link set guestnic netns "$kvm_guest"
ip -n "$kvm_guest" link set guestnic address $KVM_MAC
ip -n "$kvm_guest" link set guestnic up

step "KVM: the guest asks for its address by DHCP"
kvm_lease=$(lease "$kvm_guest" guestnic kvm)

step "KVM: guest -> host: the guest fetches http://169.254.169.254/meta-data"
kvm_http=$(fetch "$kvm_guest" kvm)

step "KVM: host -> guest: the host connects to a service in the guest"
mkdir -p "$work/guestwww" && echo "hello from the KVM guest" > "$work/guestwww/index.html"
ip netns exec "$kvm_guest" busybox httpd -p $KVM_IP:8080 -h "$work/guestwww"
in_host timeout 10 busybox wget -q -O - http://$KVM_IP:8080/

# ---- Xen
step "Xen: a STAND-IN xenstore (tests/xenstored, our own server: no hypervisor runs here)"
ip netns exec "$host" "$root/out/tools/xenstored" "$work/xenstored.socket" &
store_pid=$!
i=0
until xs xenstore-read / >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 100 ] || { echo "demo: the stand-in xenstore did not start" >&2; exit 1; }
    sleep 0.05
done
echo "XENSTORED_PATH=$work/xenstored.socket"

step "Xen: a veth pair stands in for netback: vif7.0 in the host, eth0 in the Xen guest"
ip -n "$host" link add vif7.0 type veth peer name eth0 netns "$xen_guest"
ip -n "$xen_guest" link set eth0 address $XEN_MAC
ip -n "$xen_guest" link set eth0 up

step "Xen: the backend nodes libxl writes, with Debian's xenstore-write"
xs xenstore-write /local/domain/7/name demo-xen-vm \
    $B/mac $XEN_MAC $B/ip $XEN_IP $B/vifname $XEN_VIFNAME $B/script /etc/xen/scripts/vif-gnt-com $B/hotplug-status ""
xs xenstore-ls /local/domain/0/$B

step "Xen: vif-gnt-com online type_if=vif, run as libxl runs a vif hotplug script"
echo "(env: vif=vif7.0 XENBUS_PATH=$B XENBUS_TYPE=vif XENBUS_BASE_PATH=backend script=/etc/xen/scripts/vif-gnt-com netdev=)"
ip netns exec "$host" env GNT_COM_CONF="$work/gnt-com.conf" XENSTORED_PATH="$work/xenstored.socket" \
    vif=vif7.0 XENBUS_PATH=$B XENBUS_TYPE=vif XENBUS_BASE_PATH=backend script=/etc/xen/scripts/vif-gnt-com netdev= \
    "$work/bin/timed" "$work/xen-up.us" "$root/out/vif-gnt-com" online type_if=vif
echo "hotplug-status = $(xs xenstore-read $B/hotplug-status)"
xen_if=$(iface $XEN_IP)
ip -n "$host" -4 addr show dev "$xen_if"
ip -n "$host" route show dev "$xen_if"

step "Xen: the guest asks for its address by DHCP"
xen_lease=$(lease "$xen_guest" eth0 xen)

step "Xen: guest -> host: the guest fetches http://169.254.169.254/meta-data"
xen_http=$(fetch "$xen_guest" xen)

step "gnt-com status and check"
in_host "$root/out/gnt-com" status
in_host "$root/out/gnt-com" check

step "Both guests"
{
    printf 'guest\thypervisor path\tinterface\tIP\tMAC\tDHCP lease\tHTTP\tcall (ms)\n'
    printf 'demo-kvm-vm\tqemu -netdev tap,script=gnt-com-ifup\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$kvm_if" $KVM_IP $KVM_MAC "$kvm_lease" "$kvm_http" "gnt-com-ifup $(ms "$work/kvm-up.us")"
    printf 'demo-xen-vm\tlibxl hotplug: vif-gnt-com online (stand-in xenstore)\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$xen_if" $XEN_IP $XEN_MAC "$xen_lease" "$xen_http" "vif-gnt-com online $(ms "$work/xen-up.us")"
} | awk -F'\t' '{ for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR }
    END { for (r = 1; r <= n; r++) { l = ""; for (i = 1; i <= 8; i++) l = l sprintf("%-" w[i] "s  ", c[r, i]); sub(/ +$/, "", l); print l } }'

step "Teardown as Xen 4.17 does it: netback removes the vif, libxl its backend nodes, then runs offline; qemu quits (runs gnt-com-ifdown)"
ip -n "$host" link del "$xen_if"
xs xenstore-rm /local/domain/0/$B
ip netns exec "$host" env GNT_COM_CONF="$work/gnt-com.conf" XENSTORED_PATH="$work/xenstored.socket" \
    vif=vif7.0 XENBUS_PATH=$B XENBUS_TYPE=vif XENBUS_BASE_PATH=backend script=/etc/xen/scripts/vif-gnt-com netdev= \
    "$work/bin/timed" "$work/xen-down.us" "$root/out/vif-gnt-com" offline type_if=vif
kill -TERM "$qemu_pid"
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=
echo "vif-gnt-com offline took $(ms "$work/xen-down.us") ms, qemu's gnt-com-ifdown $(ms "$work/kvm-down.us") ms"
in_host "$root/out/gnt-com" status
in_host "$root/out/gnt-com" check

step "Done: the sandbox is removed, the host was never touched"
[ "$kvm_lease" = $KVM_IP ] && [ "$xen_lease" = $XEN_IP ] && [ "$kvm_http" = OK ] && [ "$xen_http" = OK ] \
    || { echo "demo: a guest did not get its lease or its answer (see the table)" >&2; exit 1; }
