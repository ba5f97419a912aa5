#!/bin/sh
# udhcpc's script: the address only (the channel must never become the default route),
# kept as it is when a renewed lease gives the same one (the node may be talking to us);
# records what the server offered.
case "$1" in
  deconfig) ip link set "$interface" up ;;
  bound|renew)
    if ! ip -4 addr show dev "$interface" | grep -q "inet $ip/${mask:-32} "; then
      ip addr flush dev "$interface"
      ip addr add "$ip/${mask:-32}" dev "$interface"
    fi
    echo "$interface $ip/${mask:-32} server=${serverid:-?} router=${router:-none}" > /run/lease ;;
esac
exit 0
