#!/bin/sh
# dom0's init, exec'd by /sbin/e2e-boot from the run's data disk (/run/e2e).
#
# No systemd: under TCG every unit costs seconds, and a node needs only what is started
# here, in the order Debian's /etc/init.d/xen (xen-utils-common) starts it:
#   /proc /sys /dev /run, udev (systemd-udevd handles the kernel's net events as on a real
#   node), a syslog on /dev/log (GntCom logs there as well as on stderr), the Xen modules,
#   xenfs, oxenstored (Debian's first choice), xen-init-dom0, xenconsoled (logging each
#   guest's console to /var/log/xen/console/guest-NAME.log, which the scenario reads).
# Then dpkg -i of GntCom's .deb, and scenario.sh. Results and logs go to /run/e2e-out,
# written at the end as a plain tar on /dev/vdc (run.sh reads it after qemu exits).
# Console lines starting with E2E- are markers run.sh waits for. The release's facts
# (releases.sh: Xen's paths) come on the data disk with the release's number (release).
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
E=/run/e2e
O=/run/e2e-out
mkdir -p "$O"
E2E_RELEASE=$(cat "$E/release" 2>/dev/null)

marker() { echo "E2E-$*"; }

finish() {
    # logs worth reading when something failed
    cp -r /var/log/xen "$O/xen-logs" 2>/dev/null
    cp /var/log/messages "$O/syslog" 2>/dev/null
    dmesg > "$O/dmesg" 2>/dev/null
    tar -C "$O" -cf - . | dd of=/dev/vdc bs=1M conv=fsync 2>/dev/null
    sync
    marker DONE
    sleep 1
    # qemu runs with -no-reboot: Xen's reboot ends qemu
    busybox reboot -f; echo b > /proc/sysrq-trigger
}

fatal() {
    marker "FATAL $*"
    echo "$*" > "$O/fatal"
    finish
}

. "$E/releases.sh" || fatal "no facts for release '$E2E_RELEASE' on the data disk"

# --- base system -------------------------------------------------------------------
mount -t devpts -o gid=5,mode=620 devpts /dev/pts 2>/dev/null || { mkdir -p /dev/pts; mount -t devpts devpts /dev/pts; }
mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mkdir -p /run/lock /var/log/xen/console /var/lib/xen /run/xen /run/xenstored
hostname dom0
ip link set lo up

# --- udev: only the net subsystem is coldplugged (a full coldplug loads dozens of
# modules, slow under TCG; the disks are up already)
/lib/systemd/systemd-udevd --daemon || fatal "udevd did not start"
udevadm trigger --subsystem-match=net --action=add
udevadm settle -t 30

# --- syslog on /dev/log
busybox syslogd -O /var/log/messages || fatal "syslogd did not start"

# --- Xen, as /etc/init.d/xen starts it
for m in xenfs xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xen-netback dummy; do
    modprobe "$m" 2>/dev/null
done
mount -t xenfs xenfs /proc/xen || fatal "cannot mount xenfs"
grep -q control_d /proc/xen/capabilities || fatal "not dom0 (no control_d in /proc/xen/capabilities)"
XENBIN=$E2E_XEN_BIN
XENSTORED_ROOTDIR=/run/xenstored "$XENBIN/oxenstored" --pid-file /run/xenstore.pid \
    || fatal "oxenstored did not start"
i=0
until xenstore-read -s / >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -le 30 ] || fatal "xenstored not answering after 30 s"; sleep 1
done
"$XENBIN/xen-init-dom0" >/dev/null || fatal "xen-init-dom0 failed"
"$XENBIN/xenconsoled" --pid-file /run/xenconsoled.pid --log=guest \
    --log-dir=/var/log/xen/console || fatal "xenconsoled did not start"
xl info > "$O/xl-info" 2>&1 || fatal "xl info failed: $(tail -n1 "$O/xl-info")"
marker "DOM0-UP $(awk '/^xen_version/ {print $3}' "$O/xl-info") $(uname -r) free_memory=$(awk '/^free_memory/ {print $3}' "$O/xl-info")"

# --- the scenario
if [ -f "$E/scenario.sh" ]; then
    sh "$E/scenario.sh" > "$O/scenario.log" 2>&1
    echo "scenario exit $?" >> "$O/scenario.log"
fi
finish
