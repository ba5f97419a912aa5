#!/bin/busybox sh
# The guest's probe: every 100 ms a TCP connection to 169.254.169.254:8811, the channel's
# host side, whichever node the guest runs on. Each node's responder.py records when it
# accepted one (a probe that went there and back); the node compares those times, on one
# clock, with qemu's downtime and with the end of the target's ifup. Nothing is judged
# here: the guest's own clock stops while qemu's does. A probe gives up after 1 s
# (nc -w 1, the connect timeout); one is started every 100 ms whatever the others do.
b=/bin/busybox
while [ ! -s /run/lease ]; do $b usleep 200000; done     # /init's first lease
exec < /dev/null > /dev/null 2>&1
while :; do
  $b nc -w 1 169.254.169.254 8811 &
  $b usleep 100000
done
