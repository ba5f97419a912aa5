#!/bin/bash
# build-image.sh OUTDIR: builds the Ganeti node's root filesystem into OUTDIR (must not
# exist): the release's Debian (E2E_RELEASE, scripts/e2e/releases.sh; mmdebstrap
# --variant=apt from its main, updates and security suites) with the packages of
# node-packages, then build-guest.sh (the guests' kernel and initramfs, the no-op OS
# definition). mmdebstrap keeps services from starting while it installs (policy-rc.d,
# start-stop-daemon diverted), so the ganeti package's postinst starts no daemon.
# Runs in a mount namespace of its own, so a build interrupted with chroot mounts in place
# leaves none behind on the host.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
. "$here/../releases.sh"
pkgs=$(sed 's/#.*//' "$here/node-packages" | xargs | tr ' ' ,)
# stdin: the sources (mmdebstrap reads them from "-"). Check-Valid-Until: a mirror may
# serve a dated snapshot.
echo "$E2E_APT_SOURCES" | unshare --mount --propagation private \
  mmdebstrap --quiet --variant=apt --include="$pkgs" \
    --aptopt='Acquire::Languages "none"' --aptopt='Acquire::Check-Valid-Until "false"' \
    --customize-hook="\"$here/build-guest.sh\" \"\$1\"" \
    "$E2E_SUITE" "$out" -
