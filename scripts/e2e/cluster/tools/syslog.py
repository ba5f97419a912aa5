#!/usr/bin/python3
"""The node's syslog: syslog.py LOG

Binds /dev/log (the node's own /dev, a tmpfs) and appends every datagram to LOG as
"EPOCH-SECONDS MESSAGE": the arrival time to the microsecond, where the message's own
stamp has seconds only. GntCom's programs log their last act there ("up gnt.com.N ip=..."
is gnt-com-ifup's, just before it returns): its arrival is when the target's ifup returned.
"""
import os
import socket
import sys
import time

log = sys.argv[1]
try:
    os.unlink("/dev/log")
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
os.chmod("/dev/log", 0o666)
with open(log, "a", buffering=1) as out:
    out.write("%.6f listening\n" % time.time())
    while True:
        data = s.recv(65536)
        out.write("%.6f %s\n" % (time.time(), data.decode("utf-8", "replace").replace("\n", " ")))
