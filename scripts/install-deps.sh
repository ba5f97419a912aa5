#!/bin/sh
# Installs the Debian 12 packages GntCom's build, tests and demo use.
#   scripts/install-deps.sh               apt-get update + install (as root)
#   scripts/install-deps.sh --if-missing  the same, only when something is missing
# The .NET 10 SDK itself is not a Debian package: see README.md.
set -eu

# build: clang + zlib1g-dev (NativeAOT's linker and its zlib), make
# product at run time: dnsmasq-base (DHCP), libxenstore4 (Xen), iproute2 is not needed
# tests and demo: iproute2 (namespaces, veth, taps), qemu-system-x86, busybox (udhcpc),
#   xenstore-utils, xen-utils-common (Xen's own vif-route, compared with ours), net-tools
#   (ifconfig, which vif-route uses), ethtool, procps and psmisc (pkill, fuser)
PKGS="make clang zlib1g-dev iproute2 procps psmisc ethtool busybox dnsmasq-base qemu-system-x86 \
libxenstore4 xenstore-utils xen-utils-common net-tools"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

if [ "${1:-}" = "--if-missing" ] && [ -z "$missing" ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    if [ -n "$missing" ]; then
        echo "install-deps: not root; these packages are missing:$missing" >&2
        echo "install-deps: tests that need them will be skipped (run as root to install them)" >&2
    fi
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends $PKGS
