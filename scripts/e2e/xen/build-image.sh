#!/bin/sh
# Builds (once) the cached dom0 image the Xen end-to-end test boots:
#   E2E_RELEASE=12|13 scripts/e2e/xen/build-image.sh CACHE_DIR
# CACHE_DIR/ then holds
#   xen          the hypervisor, GUNZIPPED (qemu's multiboot loader reads no gzip)
#   vmlinuz      Debian's kernel (dom0's; the guests boot it as /boot/vmlinux in the
#                image, decompressed, see below)
#   initrd.img   Debian's initramfs (initramfs-tools) that mounts / from /dev/vda
#   rootfs.img   ext4 image of dom0's root (mke2fs -d: no mount, no loop device)
#   stamp        hash of every input below; a different hash rebuilds everything
# The inputs: this script, dom0-packages, dom0-boot and the release's facts
# (scripts/e2e/releases.sh: its suites, Xen's packages and paths, the kernel's
# compression). GntCom's .deb and the scenario are NOT in the image: they change every
# run and come in on a second disk (run.sh).
# Facts: mmdebstrap (about 1-3 min here) resolves --include with apt; debootstrap took
# about 3 min. Debian's kernel has virtio_blk and ext4 as modules, so dom0 needs an
# initramfs; MODULES=list with just those keeps it small (TCG unpacks it slowly).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:?usage: build-image.sh CACHE_DIR}
. "$here/../releases.sh"
[ -n "${E2E_SUITE:-}" ] || { echo "build-image: E2E_RELEASE is not set (12 or 13)" >&2; exit 1; }

# one build at a time (another run may share the cache): the lock is held until exit
mkdir -p "$cache"
exec 9> "$cache/.lock"
flock -w 1200 9 || { echo "build-image: $cache/.lock held for 20 min" >&2; exit 1; }

stamp=$( { cat "$here/build-image.sh" "$here/dom0-packages" "$here/dom0-boot"; e2e_facts; } \
    | sha256sum | cut -d' ' -f1)
if [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$stamp" ] \
    && [ -s "$cache/xen" ] && [ -s "$cache/vmlinuz" ] && [ -s "$cache/initrd.img" ] \
    && [ -s "$cache/rootfs.img" ]; then
    echo "xen e2e: cached image is current ($cache)" >&2
    exit 0
fi

echo "xen e2e: building the $E2E_RELEASE_NAME dom0 image in $cache" >&2
rm -f "$cache/stamp" "$cache/xen" "$cache/vmlinuz" "$cache/initrd.img" "$cache/rootfs.img"
rm -rf --one-file-system "$cache"/build.* 2>/dev/null   # what a killed build left
work=$(mktemp -d "$cache/build.XXXXXX")
# --one-file-system: never follow mmdebstrap's mounts (/proc, /sys, /dev) should it be
# killed before it unmounted them
trap 'rm -rf --one-file-system "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
root=$work/root

pkgs=$( { grep -v -e '^#' -e '^[[:space:]]*$' "$here/dom0-packages"; echo "$E2E_XEN_PACKAGES" | tr ' ' '\n'; } \
    | tr '\n' ',' | sed 's/,$//')

# The initramfs only needs the root disk's drivers; written before the kernel is
# installed so its postinst builds the small initramfs straight away.
# Check-Valid-Until: the host's mirror serves a dated snapshot (see /etc/apt/apt.conf.d).
# stdin </dev/null: with no mirror on the command line mmdebstrap would read stdin.
echo "$E2E_APT_SOURCES" | mmdebstrap --variant=apt --mode=root \
    --aptopt='APT::Install-Recommends "false"' \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --aptopt='Acquire::Languages "none"' \
    --include="$pkgs" \
    --essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d"; printf "MODULES=list\nCOMPRESS=gzip\n" > "$1/etc/initramfs-tools/conf.d/e2e"; printf "virtio_pci\nvirtio_blk\next4\n" > "$1/etc/initramfs-tools/modules"' \
    --customize-hook='rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*' \
    "$E2E_SUITE" "$root" - >&2

# dom0's init (the first step only: the rest comes from the run's data disk)
install -m 0755 "$here/dom0-boot" "$root/sbin/e2e-boot"
echo dom0 > "$root/etc/hostname"

kver=$(ls "$root/lib/modules" | sort -V | tail -n1)
cp "$root/boot/vmlinuz-$kver" "$work/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$work/initrd.img"
[ -s "$root/$E2E_XEN_GZ" ] || { echo "build-image: no /$E2E_XEN_GZ in the image (E2E_XEN_GZ in releases.sh)" >&2; exit 1; }
gunzip -c "$root/$E2E_XEN_GZ" > "$work/xen"
# The guests boot the same kernel, decompressed once here: xl create of a PV guest given
# the bzImage spends most of its time in libxc's decompression (11 s of 18 s under TCG
# for XZ); given the ELF inside it (what the kernel's scripts/extract-vmlinux extracts:
# the compressed stream after the setup code: XZ in Debian 12, zstd in 13), libxc's ELF
# loader maps it directly.
case $E2E_VMLINUZ_PAYLOAD in
    xz) magic='\xfd7zXZ\x00' unpack="xz -dc --single-stream" ;;
    # zstd stops at the frame's end and complains about what follows (ignored: the ELF
    # check below says whether the kernel came out whole)
    zstd) magic='\x28\xb5\x2f\xfd' unpack="zstd -dcq" ;;
    *) echo "build-image: no way to unpack a $E2E_VMLINUZ_PAYLOAD kernel" >&2; exit 1 ;;
esac
off=$(LC_ALL=C grep -obUaP "$magic" "$root/boot/vmlinuz-$kver" | head -n1 | cut -d: -f1)
[ -n "$off" ] || { echo "build-image: no $E2E_VMLINUZ_PAYLOAD stream in vmlinuz-$kver (E2E_VMLINUZ_PAYLOAD in releases.sh)" >&2; exit 1; }
tail -c +"$((off + 1))" "$root/boot/vmlinuz-$kver" | $unpack > "$root/boot/vmlinux" 2>/dev/null || true
[ "$(head -c4 "$root/boot/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ] \
    || { echo "build-image: the kernel extracted from vmlinuz-$kver is no ELF" >&2; exit 1; }
echo "$kver" > "$root/etc/e2e-kernel-version"

# ext4 image, sized to the tree plus room for the run (logs, the .deb, guest initramfs);
# qemu opens it with snapshot=on, so a run never writes to the cache
size_mb=$(( $(du -sm "$root" | cut -f1) + 768 ))
mke2fs -q -t ext4 -L dom0root -d "$root" "$work/rootfs.img" "${size_mb}M"
rm -rf --one-file-system "$root"

mv "$work/xen" "$work/vmlinuz" "$work/initrd.img" "$work/rootfs.img" "$cache/"
echo "$stamp" > "$cache/stamp"
echo "xen e2e: image built ($kver, ${size_mb} MB)" >&2
