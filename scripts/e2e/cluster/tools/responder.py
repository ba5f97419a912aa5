#!/usr/bin/python3
"""The probes' other end, one per node: responder.py PORT LOG

Accepts TCP connections on PORT of every address of the node (the guests connect to
169.254.169.254, the node's side of their channel) and appends one line per connection to
LOG: "EPOCH-SECONDS PEER-IP". accept() returns only once the three-way handshake is done,
so every line is a probe that went there AND back: the guest's SYN reached this node, our
SYN-ACK reached the guest and its ACK came back. The clock is the machine's: both nodes'
lines compare directly. Closes each connection at once (the guest's nc then exits).
"""
import socket
import sys
import time

port, log = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", port))
s.listen(256)
with open(log, "a", buffering=1) as out:
    out.write("%.6f listening\n" % time.time())
    while True:
        c, peer = s.accept()
        out.write("%.6f %s\n" % (time.time(), peer[0]))
        c.close()
