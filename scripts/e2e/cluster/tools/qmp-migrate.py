#!/usr/bin/python3
"""qemu's own view of a live migration: qmp-migrate.py SOCKET OUT [TIMEOUT]

Run on the SOURCE node before the migration starts. SOCKET is the second QMP monitor Ganeti
gives every KVM instance for its kvmd (/var/run/ganeti/kvm-hypervisor/ctrl/NAME.kvmd),
which nobody uses while kvmd does not run (Ganeti's own calls open NAME.qmp, one
connection per call). Polls query-migrate every 50 ms and writes OUT, one JSON object a
line: {"t": EPOCH, "status": S, "transferred": BYTES} at each change of status and about
once a second while active, then, once the outgoing migration has started (a qemu that
came in by a migration says "completed" until then), the last line
  {"t": .., "status": "completed", "downtime": MS, "total-time": MS, ...}
or "failed"/"cancelled", or "gone" when qemu closed the monitor (it died or was killed)
before any of those. "completed" stays until Ganeti kills the source qemu (its poll is
every second), so 50 ms catches it.
"""
import json
import socket
import sys
import time

path, out_path = sys.argv[1], sys.argv[2]
deadline = time.time() + (float(sys.argv[3]) if len(sys.argv) > 3 else 600)
out = open(out_path, "a", buffering=1)


def emit(**kw):
    kw["t"] = round(time.time(), 6)
    out.write(json.dumps(kw, sort_keys=True) + "\n")


s, connect_by = None, time.time() + 10       # the socket exists while qemu runs
while s is None:
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
    except OSError as e:
        s = None
        if time.time() > connect_by:
            emit(status="nosocket", error="%s: %s" % (path, e))
            sys.exit(1)
        time.sleep(0.1)
f = s.makefile("rw", encoding="utf-8", newline="\n")


def call(cmd):
    f.write(json.dumps({"execute": cmd}) + "\n")
    f.flush()
    while True:
        line = f.readline()
        if not line:
            return None
        msg = json.loads(line)
        if "event" in msg:
            continue
        return msg


try:
    if not f.readline() or call("qmp_capabilities") is None:
        emit(status="gone", error="qemu closed the monitor at the greeting")
        sys.exit(1)
    last, last_progress, started = None, 0.0, False
    while time.time() < deadline:
        r = call("query-migrate")
        if r is None:
            emit(status="gone", previous=last)
            sys.exit(1)
        info = r.get("return", {})
        status = info.get("status", "none")
        ram = info.get("ram", {})
        if status not in ("none", "completed", "failed", "cancelled"):
            started = True
        # A qemu that came in by a migration says "completed" (its incoming one, with no
        # downtime) until its own outgoing one starts: only a change after that counts.
        if status == "completed" and not started and info.get("downtime") is not None:
            started = True
        if status != last or (status == "active" and time.time() - last_progress >= 1):
            if started and status in ("completed", "failed", "cancelled"):
                emit(status=status, downtime=info.get("downtime"), **{
                    "total-time": info.get("total-time"), "setup-time": info.get("setup-time"),
                    "transferred": ram.get("transferred"), "error": info.get("error-desc")})
                sys.exit(0 if status == "completed" else 1)
            emit(status=status if started or status != "completed" else "completed (incoming)",
                 transferred=ram.get("transferred"))
            last, last_progress = status, time.time()
        time.sleep(0.05)
    emit(status="timeout", previous=last)
    sys.exit(1)
except (OSError, ValueError) as e:
    emit(status="gone", error=str(e))
    sys.exit(1)
