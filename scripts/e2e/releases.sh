# scripts/e2e/releases.sh: what differs between the Debian releases `make e2e` runs on, in
# one place. Every part reads its release's facts from here, and only from here.
#
#   E2E_RELEASE=13; . scripts/e2e/releases.sh || exit 1
#
# POSIX sh (sourced by sh and bash scripts alike, on the host and inside Xen's dom0, which
# gets this file on its data disk). With E2E_RELEASE set to one of E2E_RELEASES_KNOWN it
# sets every variable below; with another value it prints one line and returns 1; unset,
# it sets only E2E_RELEASES_KNOWN and E2E_RELEASES_DEFAULT. `e2e_facts` prints the
# release's facts (NAME=value lines), for image stamps and logs.
#
#   E2E_RELEASES_KNOWN     "12 13": the releases described here
#   E2E_RELEASES_DEFAULT   "12 13": what `make e2e` runs when E2E_RELEASES is unset
#   E2E_RELEASE_NAME       "Debian 12": for messages and the table's column heads
#   E2E_SUITE              mmdebstrap's suite: bookworm, trixie
#   E2E_APT_SOURCES        sources.list lines the images are built from (main, updates,
#                          security; E2E_DEBIAN_MIRROR replaces http://deb.debian.org/debian)
#   E2E_GANETI             Ganeti's upstream version (dpkg's, before the Debian revision):
#                          the Ganeti part checks the node runs exactly it
#   E2E_XEN                Xen's version (4.17, 4.20): package names, paths
#   E2E_XEN_PACKAGES       dom0's hypervisor and toolstack packages
#   E2E_XEN_GZ             the hypervisor in the image (path relative to the root)
#   E2E_XEN_BIN            Xen's daemons and helpers in dom0 (oxenstored, xen-init-dom0,
#                          xenconsoled)
#   E2E_XEN_BOOT_MARKER    a line of Xen's serial output (a grep -F string) that says dom0
#                          is starting: 4.17 prints "*** Serial input to DOM0" even at
#                          loglvl=warning, 4.20 only from loglvl=info
#   E2E_XEN_LOGLVL         Xen's loglvl= (the lowest that still prints the marker)
#   E2E_UDEV               systemd-udevd's version (udevadm --version): checked in both parts
#   E2E_KERNEL_SERIES      the kernel's series (6.1, 6.12): checked in both parts
#   E2E_KMOD_DIR           where linux-image's .deb keeps the modules (relative):
#                          lib/modules, or usr/lib/modules (merged /usr)
#   E2E_KMOD_EXT           a module's file name ending: .ko, or .ko.xz (the initramfs gets
#                          them decompressed: busybox's insmod reads .ko only)
#   E2E_KVM_GUEST_MODULES  the modules the KVM guests load (virtio NIC, ACPI power button,
#                          evdev for acpid); virtio_pci is built into Debian 13's kernel
#   E2E_VMLINUZ_PAYLOAD    the compression of the kernel inside vmlinuz: xz, or zstd (the
#                          Xen guests boot it decompressed: libxc's ELF loader maps it
#                          directly instead of decompressing at every xl create)
#
# Differences handled in place, the same way on both releases (no fact needed):
# - Ganeti 3.1's KVM default vhost_net=True needs /dev/vhost-net, which the node has not:
#   the Ganeti part sets vhost_net=false (3.0.2's default) on both.
# - Both roots are merged /usr (/lib -> usr/lib): /lib/systemd/systemd-udevd and
#   /lib/modules work on both; both udevd read /usr/lib/udev/rules.d, where the package
#   puts its rule (Debian 13's lintian refuses /lib).
# Observed, not assumed (the parts report them in the table's FACT rows): qemu (7.2, 10.0),
# dnsmasq (2.90, 2.91), glibc (2.36, 2.41), lintian (2.116, 2.122).

E2E_RELEASES_KNOWN="12 13"
E2E_RELEASES_DEFAULT="12 13"

e2e_facts() {
    for v in E2E_RELEASE E2E_RELEASE_NAME E2E_SUITE E2E_APT_SOURCES E2E_GANETI E2E_XEN \
             E2E_XEN_PACKAGES E2E_XEN_GZ E2E_XEN_BIN E2E_XEN_BOOT_MARKER E2E_XEN_LOGLVL \
             E2E_UDEV E2E_KERNEL_SERIES E2E_KMOD_DIR E2E_KMOD_EXT E2E_KVM_GUEST_MODULES \
             E2E_VMLINUZ_PAYLOAD; do
        eval "printf '%s=%s\n' \"\$v\" \"\${$v}\""
    done
}

e2e_apt_sources() {  # SUITE: main, updates and security
    _m=${E2E_DEBIAN_MIRROR:-http://deb.debian.org/debian}
    printf 'deb %s %s main\ndeb %s %s-updates main\ndeb http://deb.debian.org/debian-security %s-security main\n' \
        "$_m" "$1" "$_m" "$1" "$1"
}

if [ -n "${E2E_RELEASE:-}" ]; then
    case $E2E_RELEASE in
        12)
            E2E_RELEASE_NAME="Debian 12"
            E2E_SUITE=bookworm
            E2E_GANETI=3.0.2
            E2E_XEN=4.17
            E2E_XEN_BOOT_MARKER="(XEN) *** Serial input to DOM0"
            E2E_XEN_LOGLVL=warning
            E2E_UDEV=252
            E2E_KERNEL_SERIES=6.1
            E2E_KMOD_DIR=lib/modules
            E2E_KMOD_EXT=.ko
            E2E_KVM_GUEST_MODULES="virtio_pci virtio_net button evdev"
            E2E_VMLINUZ_PAYLOAD=xz
            ;;
        13)
            E2E_RELEASE_NAME="Debian 13"
            E2E_SUITE=trixie
            E2E_GANETI="3.1.0~rc2"
            E2E_XEN=4.20
            E2E_XEN_BOOT_MARKER="(XEN) *** Serial input to DOM0"
            E2E_XEN_LOGLVL=info
            E2E_UDEV=257
            E2E_KERNEL_SERIES=6.12
            E2E_KMOD_DIR=usr/lib/modules
            E2E_KMOD_EXT=.ko.xz
            E2E_KVM_GUEST_MODULES="virtio_net button evdev"
            E2E_VMLINUZ_PAYLOAD=zstd
            ;;
        *)
            echo "e2e: release '$E2E_RELEASE' is not one of: $E2E_RELEASES_KNOWN (scripts/e2e/releases.sh)" >&2
            return 1
            ;;
    esac
    E2E_APT_SOURCES=$(e2e_apt_sources "$E2E_SUITE")
    E2E_XEN_PACKAGES="xen-hypervisor-$E2E_XEN-amd64 xen-utils-$E2E_XEN"
    E2E_XEN_GZ=boot/xen-$E2E_XEN-amd64.gz
    E2E_XEN_BIN=/usr/lib/xen-$E2E_XEN/bin
fi
