#!/bin/bash
# build-image.sh OUTDIR: builds the Ganeti node's root filesystem into OUTDIR (must not
# exist): Debian 12 (mmdebstrap --variant=apt) with the packages of node-packages, then
# build-guest.sh (the guests' kernel and initramfs, the no-op OS definition).
# mmdebstrap keeps services from starting while it installs (policy-rc.d,
# start-stop-daemon diverted), so the ganeti package's postinst starts no daemon.
# Runs in a mount namespace of its own, so a build interrupted with chroot mounts in place
# leaves none behind on the host.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
mirror=${E2E_DEBIAN_MIRROR:-http://deb.debian.org/debian}
pkgs=$(sed 's/#.*//' "$here/node-packages" | xargs | tr ' ' ,)
exec unshare --mount --propagation private \
  mmdebstrap --quiet --variant=apt --include="$pkgs" \
    --customize-hook="\"$here/build-guest.sh\" \"\$1\"" \
    bookworm "$out" "$mirror"
