#!/usr/bin/python3
"""Does qemu's TCG keep a guest's memory across live migrations? (not run by make e2e)

  unshare -n sh -c 'ip link set lo up; tcg-migration.py KERNEL INITRD N [ACCEL [DOWNTIME-MS [MIB/S]]]'

Why lib.sh's CLUSTER_QEMU_TCG and CLUSTER_MIGRATION_DOWNTIME exist (lib.sh has the
figures), and how to tell whether another release still needs them. Starts the guest as
Ganeti starts the cluster part's (128 MiB, one vCPU, virtio-balloon, pc-i440fx-7.2,
console=ttyS0 panic=-1 rdinit=/cluster-init), lets it boot, then migrates it N times in a
chain, each time to a fresh qemu -incoming on 127.0.0.1 with Ganeti's parameters (by
default Ganeti's defaults: 30 ms downtime limit, 32 MiB/s), kills the source, and reads
the target's console 6 s later: a kernel BUG, panic, Oops or a new boot there, or fewer
than 20 probes in the last 5 s, is a corrupted guest. The guest's NIC is slirp's, with
169.254.169.254 as its host, whose connections this script accepts on 127.0.0.1:8811:
the guest leases and probes as on a node. ACCEL is qemu's -accel (default: qemu's own
choice, multi-threaded TCG here). INITRD is the part's guest initrd (ganeti's initrd.gz
with guest/ appended as a second cpio: its probe forks ten times a second, which is what
exposes the loss). Work files (consoles, QMP sockets) go to the current directory.
"""
import json
import socket
import subprocess
import sys
import threading
import time

kernel, initrd, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
accel = sys.argv[4] if len(sys.argv) > 4 else ""
downtime = int(sys.argv[5]) if len(sys.argv) > 5 else 30         # Ganeti's defaults
bandwidth = int(sys.argv[6]) if len(sys.argv) > 6 else 32


def qemu(i, incoming=None):
    cmd = ["qemu-system-x86_64", "-name", "t", "-m", "128", "-smp", "1", "-nodefaults",
           "-device", "virtio-balloon", "-machine", "pc-i440fx-7.2", "-display", "none",
           "-kernel", kernel, "-initrd", initrd,
           "-append", "console=ttyS0 panic=-1 rdinit=/cluster-init",
           "-serial", "file:con%d.log" % i, "-qmp", "unix:q%d.sock,server,nowait" % i,
           "-netdev", "user,id=n0,net=169.254.0.0/16,host=169.254.169.254,dhcpstart=169.254.0.2",
           "-device", "virtio-net-pci,netdev=n0"]
    if accel:
        cmd += ["-accel", accel]
    if incoming:
        cmd += ["-incoming", incoming]
    return subprocess.Popen(cmd)


def qmp(i):
    for _ in range(100):
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect("q%d.sock" % i)
            break
        except OSError:
            time.sleep(0.1)
    f = s.makefile("rw")
    f.readline()

    def call(c, **a):
        f.write(json.dumps({"execute": c, "arguments": a}) + "\n")
        f.flush()
        while True:
            m = json.loads(f.readline())
            if "event" not in m:
                return m
    call("qmp_capabilities")
    return call


# the probes' responder: slirp takes the guest's connections to its host address
# (169.254.169.254, as on a node) to this network namespace's 127.0.0.1
probes = []
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 8811))
listener.listen(64)


def accept():
    while True:
        c, _ = listener.accept()
        probes.append(time.time())
        c.close()


threading.Thread(target=accept, daemon=True).start()
src = qemu(0)
time.sleep(12)
bad = 0
for i in range(1, n + 1):
    uri = "tcp:127.0.0.1:%d" % (5000 + i)
    dst = qemu(i, uri)
    time.sleep(1.5)
    call = qmp(i - 1)
    call("migrate-set-parameters", **{"max-bandwidth": bandwidth << 20, "downtime-limit": downtime})
    call("migrate", uri=uri)
    while True:
        r = call("query-migrate")["return"]
        if r.get("status") in ("completed", "failed"):
            break
        time.sleep(0.05)
    time.sleep(1)
    src.kill()
    src.wait()
    src = dst
    t = time.time()
    time.sleep(6)
    with open("con%d.log" % i, errors="replace") as f:
        hit = [x for x in f.read().splitlines()
               if "BUG" in x or "panic" in x or "Oops" in x or "E2E BOOT" in x]
    got = len([x for x in probes if x > t + 1])
    if got < 20:
        hit.append("%d probes in the 5 s after" % got)
    print("migration %d: %s, downtime %s ms: %s" % (i, r.get("status"), r.get("downtime"),
                                                    "; ".join(hit[:2]) if hit else "ok"), flush=True)
    bad += bool(hit)
src.kill()
print("accel=%s downtime-limit=%d ms max-bandwidth=%d MiB/s: %d of %d migrations corrupted the guest"
      % (accel or "default", downtime, bandwidth, bad, n))
