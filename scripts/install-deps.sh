#!/bin/sh
# Installs the Debian packages listed in scripts/debian-packages.
#   scripts/install-deps.sh               apt-get update + install (as root)
#   scripts/install-deps.sh --if-missing  the same, only when something is missing
# The .NET 10 SDK itself is not a Debian package: see README.md.
set -eu
cd "$(dirname "$0")/.."
PKGS=$(grep -v -e '^#' -e '^$' scripts/debian-packages)

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ "${1:-}" = "--if-missing" ] && [ -z "$missing" ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: not root; missing packages:${missing:- none}" >&2
    echo "install-deps: tests that need them will be skipped (run as root to install them)" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $PKGS
