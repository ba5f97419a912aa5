#!/bin/sh
# Brings guests' channels up with gnt-com-ifup on the taps bt<i> that make bench created
# (run inside its namespace, GNT_COM_CONF set). Guest i has IP 169.254.(10+i/250).(1+i%250)
# and MAC 52:54:00:bb:HH:LL (i in hex): unique for i < 60000. Errors go to $BENCH_ERRORS.
#   guests.sh one-by-one IFUP FROM TO DEADLINE   ifup bt FROM..TO-1 one after the other,
#       stopping early at DEADLINE (seconds since the epoch); prints how many are up
#   guests.sh at-once IFUP FROM TO FAILED        ifup them all at the same moment; prints
#       the wall time until every call returned (ms); lists failed taps in the file FAILED
set -eu
mode=$1 ifup=$2 i=$3 to=$4

up() {
    IP=169.254.$((10 + $1 / 250)).$((1 + $1 % 250)) \
    MAC=$(printf '52:54:00:bb:%02x:%02x' $(($1 / 256)) $(($1 % 256))) \
    "$ifup" "bt$1" 2>>"${BENCH_ERRORS:-/dev/null}"
}

case $mode in
one-by-one)
    deadline=$5
    while [ "$i" -lt "$to" ] && [ "$(date +%s)" -lt "$deadline" ]; do
        up "$i" || { echo "bench: gnt-com-ifup bt$i failed while populating" >&2; exit 1; }
        i=$((i + 1))
    done
    echo "$i"
    ;;
at-once)
    failed=$5
    start=$(date +%s%N)
    while [ "$i" -lt "$to" ]; do
        { up "$i" || echo "bt$i" >> "$failed"; } &
        i=$((i + 1))
    done
    wait
    echo $((($(date +%s%N) - start) / 1000000))
    ;;
*)
    echo "usage: guests.sh one-by-one|at-once IFUP FROM TO DEADLINE|FAILED" >&2
    exit 2
    ;;
esac
