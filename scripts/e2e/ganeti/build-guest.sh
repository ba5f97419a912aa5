#!/bin/bash
# build-guest.sh ROOTFS: run by build-image.sh as mmdebstrap's customize hook (apt's lists are
# still there). Puts the guests' boot files into the node image:
#   ROOTFS/srv/e2e/guest/vmlinuz    Debian's kernel, from linux-image-amd64's .deb (unpacked,
#                                   not installed: no initramfs-tools run, no /boot churn)
#   ROOTFS/srv/e2e/guest/initrd.gz  busybox-static + the modules the guest needs + guest/*
# and the no-op OS definition the diskless instances use (ROOTFS/srv/ganeti/os/e2e-noop).
# The release's kernel facts (scripts/e2e/releases.sh): where its .deb keeps the modules
# (E2E_KMOD_DIR), their file names (E2E_KMOD_EXT: .ko.xz are decompressed for busybox's
# insmod) and which ones the guest loads (E2E_KVM_GUEST_MODULES: virtio_pci is built into
# Debian 13's kernel).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
R=$1
. "$here/../releases.sh"
in_root() { chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

# --- the kernel: the package linux-image-amd64 points at, unpacked into /tmp/kernel
kpkg=$(in_root apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$kpkg" ] || { echo "build-guest: no kernel package behind linux-image-amd64" >&2; exit 1; }
rm -rf "$R/tmp/kernel" && mkdir -p "$R/tmp/kernel/x"
in_root sh -c "cd /tmp/kernel && chown _apt . && apt-get download -q $kpkg && dpkg-deb -x ./*.deb x" >&2
[ -d "$R/tmp/kernel/x/$E2E_KMOD_DIR" ] \
  || { echo "build-guest: $kpkg has no $E2E_KMOD_DIR (E2E_KMOD_DIR in releases.sh)" >&2; exit 1; }
kver=$(ls "$R/tmp/kernel/x/$E2E_KMOD_DIR")
# depmod -b BASE reads BASE/lib/modules (and finds BASE/usr/lib/modules on merged /usr)
[ -e "$R/tmp/kernel/x/lib/modules" ] || ln -s "../$E2E_KMOD_DIR" "$R/tmp/kernel/x/lib/modules" 2>/dev/null \
  || { mkdir -p "$R/tmp/kernel/x/lib" && ln -s "../$E2E_KMOD_DIR" "$R/tmp/kernel/x/lib/modules"; }
in_root depmod -b /tmp/kernel/x "$kver"
mkdir -p "$R/srv/e2e/guest"
cp "$R/tmp/kernel/x/boot/vmlinuz-$kver" "$R/srv/e2e/guest/vmlinuz"
echo "$kver" > "$R/srv/e2e/guest/kernel-version"

# --- the initramfs
ird=$R/tmp/initrd
rm -rf "$ird" && mkdir -p "$ird"/{bin,modules,www,etc,proc,sys,dev,run,tmp}
cp "$R/bin/busybox" "$ird/bin/busybox"          # busybox-static: no libraries needed
# modules and their dependencies, in load order, from the kernel's modules.dep
mdir=$R/tmp/kernel/x/$E2E_KMOD_DIR/$kver
declare -A seen=()
order=()
add_mod() {  # add_mod NAME: its dependencies first
  local path line dep
  path=$(awk -F: -v m="/$1$E2E_KMOD_EXT" 'substr("/" $1, length($1) - length(m) + 2) == m {print $1; exit}' "$mdir/modules.dep")
  if [ -z "$path" ]; then
    if grep -q "/$1.ko\$" "$mdir/modules.builtin"; then
      echo "build-guest: module $1 is built into the kernel: drop it from E2E_KVM_GUEST_MODULES (releases.sh)" >&2
    else
      echo "build-guest: module $1 not found as $1$E2E_KMOD_EXT (E2E_KMOD_EXT in releases.sh)" >&2
    fi
    exit 1
  fi
  [ -z "${seen[$1]:-}" ] || return 0
  seen[$1]=1
  line=$(grep "^$path:" "$mdir/modules.dep" | cut -d: -f2)
  for dep in $line; do add_mod "$(basename "$dep" "$E2E_KMOD_EXT")"; done
  case $E2E_KMOD_EXT in
    .ko) cp "$mdir/$path" "$ird/modules/$1.ko";;
    .ko.xz) xz -dc "$mdir/$path" > "$ird/modules/$1.ko";;
    .ko.zst) zstd -qdc "$mdir/$path" > "$ird/modules/$1.ko";;
    *) echo "build-guest: no way to unpack $E2E_KMOD_EXT modules" >&2; exit 1;;
  esac
  order+=("$1")
}
# shellcheck disable=SC2086  # a list of names
for m in $E2E_KVM_GUEST_MODULES; do add_mod "$m"; done
printf '%s\n' "${order[@]}" > "$ird/modules/order"
cp "$here/guest/init" "$here/guest/udhcpc.sh" "$here/guest/e2e.sh" "$ird/"
cp -r "$here/guest/cgi-bin" "$ird/www/"
cp -r "$here/guest/acpi" "$ird/etc/"
chmod -R go-w "$ird"
in_root sh -c 'cd /tmp/initrd && find . | cpio -o -H newc --quiet | gzip -9' > "$R/srv/e2e/guest/initrd.gz"
rm -rf "$R/tmp/kernel" "$ird"
echo "build-guest: kernel $kver, modules: ${order[*]}" >&2

# --- the no-op OS definition (Ganeti OS API 20): diskless instances need nothing installed
os=$R/srv/ganeti/os/e2e-noop
mkdir -p "$os"
echo 20 > "$os/ganeti_api_version"
echo "e2e_name the instance's name, which metad serves back to it (os/parameters.json)" > "$os/parameters.list"
for s in create import export rename verify; do
  printf '#!/bin/sh\nexit 0\n' > "$os/$s"
  chmod 0755 "$os/$s"
done
