#!/bin/sh
# make install [PREFIX=/usr/local] [DESTDIR=...]: installs the executables, an example
# config and example hooks, and links vif-gnt-com into Xen's script directory.
#   [DESTDIR=staging] scripts/install.sh PREFIX          install
#   [DESTDIR=staging] scripts/install.sh --uninstall PREFIX
# Binaries go to PREFIX/lib/gnt-com (with the native library they load) and are linked
# from PREFIX/sbin. Existing files under /etc/gnt-com are never overwritten.
set -eu
cd "$(dirname "$0")/.."
uninstall=false
if [ "${1:-}" = "--uninstall" ]; then uninstall=true; shift; fi
final=${1:?usage: install.sh [--uninstall] PREFIX}
# Files are written under DESTDIR (a staging root, for packaging); links point into PREFIX.
prefix=${DESTDIR:-}$final
etc=${DESTDIR:-}/etc
libdir=$prefix/lib/gnt-com
bins="gnt-com gnt-com-ifup gnt-com-ifdown vif-gnt-com"

if $uninstall; then
    for b in $bins; do rm -f "$prefix/sbin/$b" "$libdir/$b"; done
    rm -f "$libdir/libMono.Unix.so"
    rmdir "$libdir" 2>/dev/null || true
    [ -L "$etc/xen/scripts/vif-gnt-com" ] && rm -f "$etc/xen/scripts/vif-gnt-com"
    echo "uninstalled from $prefix (config and hooks in $etc/gnt-com are kept)"
    exit 0
fi

for b in $bins; do [ -x "out/$b" ] || { echo "install: out/$b is missing: run make first" >&2; exit 1; }; done
install -d "$libdir" "$prefix/sbin" "$etc/gnt-com/ifup.d" "$etc/gnt-com/ifdown.d"
for b in $bins; do
    install -m 0755 "out/$b" "$libdir/$b"
    ln -sf "../lib/gnt-com/$b" "$prefix/sbin/$b"
done
install -m 0644 out/libMono.Unix.so "$libdir/libMono.Unix.so"
[ -e "$etc/gnt-com/gnt-com.conf.example" ] || install -m 0644 scripts/gnt-com.conf.example "$etc/gnt-com/gnt-com.conf.example"
for d in ifup.d ifdown.d; do
    for h in scripts/hooks/$d/*-example; do
        # Shipped without the execute bit: examples, not production scripts.
        [ -e "$etc/gnt-com/$d/$(basename "$h")" ] || install -m 0644 "$h" "$etc/gnt-com/$d/"
    done
done
if [ -d "$etc/xen/scripts" ]; then
    ln -sf "$final/lib/gnt-com/vif-gnt-com" "$etc/xen/scripts/vif-gnt-com"
    echo "linked $etc/xen/scripts/vif-gnt-com (use script=vif-gnt-com in a vif spec)"
fi
echo "installed into $prefix/sbin: $bins"
