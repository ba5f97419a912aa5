#!/bin/sh
# make demo: the communication channel end to end, in a throwaway sandbox.
#
# Two network namespaces stand in for a host and its guest. The real qemu runs in the
# "host" with our gnt-com-ifup/gnt-com-ifdown as its tap script/downscript; a second tap
# on the same qemu hub is moved into the "guest" namespace and plays the guest's NIC.
# The guest asks for its address by DHCP (GntCom's dnsmasq), fetches metadata from a web
# server on 169.254.169.254, and the host opens a connection back to the guest.
# Everything lives in the namespaces and a temporary directory, and is removed on exit,
# Ctrl-C included: the host's own network is never touched.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
[ "$(id -u)" = 0 ] || { echo "demo: run as root (network namespaces, taps)" >&2; exit 1; }
for tool in ip qemu-system-x86_64 busybox /usr/sbin/dnsmasq; do
    command -v "$tool" >/dev/null || [ -x "$tool" ] || { echo "demo: $tool is missing: run 'make deps' as root" >&2; exit 1; }
done

host=gcdemo-host-$$
guest=gcdemo-guest-$$
work=$(mktemp -d /tmp/gnt-com-demo.XXXXXX)
chmod 755 "$work"
qemu_pid=
cleanup() {
    [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null || true
    for ns in "$host" "$guest"; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted, cleaning up"; exit 130' INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
in_host() { ip netns exec "$host" env GNT_COM_CONF="$work/gnt-com.conf" "$@"; }
in_guest() { ip netns exec "$guest" "$@"; }

GUEST_IP=169.254.10.20
GUEST_MAC=52:54:00:de:00:01
mkdir -p "$work/hooks/ifup.d" "$work/hooks/ifdown.d" "$work/www"
cat > "$work/gnt-com.conf" <<CONF
# The demo's GntCom: defaults, but its state and hooks in the sandbox.
state_dir = $work/run
hooks_dir = $work/hooks
syslog_socket = off
CONF
cp scripts/hooks/ifup.d/50-log-example "$work/hooks/ifup.d/50-log"
cp scripts/hooks/ifdown.d/50-log-example "$work/hooks/ifdown.d/50-log"
echo "instance-id: demo-vm" > "$work/www/meta-data"

step "Sandbox: namespaces $host (the host) and $guest (the guest)"
ip netns add "$host"
ip netns add "$guest"
ip -n "$host" link set lo up
ip -n "$guest" link set lo up

step "A web service on the host's channel address, 169.254.169.254:80"
# Listening on every address: the channel address appears only once the guest's tap is up.
ip netns exec "$host" busybox httpd -p 80 -h "$work/www"

step "qemu starts with script=gnt-com-ifup downscript=gnt-com-ifdown (IP=$GUEST_IP MAC=$GUEST_MAC)"
# (Started directly, not through in_host, so that $! is qemu itself. qemu warns that
# hub 0 has no NICs: the hub joins two taps, which is all the demo needs.)
ip netns exec "$host" env GNT_COM_CONF="$work/gnt-com.conf" IP=$GUEST_IP MAC=$GUEST_MAC INSTANCE=demo-vm \
    qemu-system-x86_64 -machine none -nodefaults -display none -monitor none \
    -netdev tap,id=chan,ifname=tap0,script="$root/out/gnt-com-ifup",downscript="$root/out/gnt-com-ifdown" \
    -netdev tap,id=nic,ifname=guestnic,script=no,downscript=no \
    -netdev hubport,id=p0,hubid=0,netdev=chan \
    -netdev hubport,id=p1,hubid=0,netdev=nic &
qemu_pid=$!
i=0
until ip -n "$host" link show gnt.com.0 >/dev/null 2>&1 && ip -n "$host" link show guestnic >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 200 ] || { echo "demo: qemu did not bring the channel up" >&2; exit 1; }
    kill -0 "$qemu_pid" 2>/dev/null || { echo "demo: qemu exited" >&2; exit 1; }
    sleep 0.05
done
ip -n "$host" -4 addr show dev gnt.com.0
ip -n "$host" route show dev gnt.com.0

step "The guest's NIC (qemu's second tap) moves into the guest namespace"
ip -n "$host" link set guestnic netns "$guest"
in_guest ip link set guestnic address $GUEST_MAC
in_guest ip link set guestnic up

step "The guest asks for its address by DHCP"
cat > "$work/udhcpc.script" <<'SCRIPT'
#!/bin/sh
[ "$1" = bound ] || exit 0
ip addr add "$ip/$mask" dev "$interface"
echo "  leased $ip/$mask from $serverid; router option: '${router:-none}', DNS option: '${dns:-none}'"
SCRIPT
chmod +x "$work/udhcpc.script"
in_guest busybox udhcpc -i guestnic -f -q -n -t 5 -T 1 -s "$work/udhcpc.script"

step "guest -> host: the guest fetches http://169.254.169.254/meta-data"
in_guest busybox wget -q -O - http://169.254.169.254/meta-data

step "host -> guest: the host connects to a service in the guest"
mkdir -p "$work/guestwww" && echo "hello from the guest" > "$work/guestwww/index.html"
in_guest busybox httpd -p $GUEST_IP:8080 -h "$work/guestwww"
in_host busybox wget -q -O - http://$GUEST_IP:8080/

step "gnt-com status"
in_host "$root/out/gnt-com" status
in_host "$root/out/gnt-com" check

step "qemu quits: it runs gnt-com-ifdown, the channel and its DHCP entry go away"
kill -TERM "$qemu_pid"
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=
in_host "$root/out/gnt-com" status

step "Done: the sandbox is removed, the host was never touched"
