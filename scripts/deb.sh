#!/bin/sh
# make deb: builds out/gnt-com_VERSION_ARCH.deb from out/ with dpkg-deb alone (no
# debhelper), then checks it with lintian when lintian is installed (an error or a warning
# fails; make e2e also runs each Debian release's own lintian on it, in that release).
#   scripts/deb.sh [--no-lintian]
# VERSION is Directory.Build.props' <Version>, the one `gnt-com --version` prints.
# The layout is `make install PREFIX=/usr SYSCONFDIR=/etc` plus what Debian asks for:
# gzipped manual pages, /usr/share/doc/gnt-com/{copyright,changelog.gz}, every file in
# /etc a conffile, md5sums, Depends computed by dpkg-shlibdeps from the binaries. Files
# under /usr and /etc only (merged /usr: Debian 13's lintian refuses /lib, and the udev
# rule in /usr/lib/udev/rules.d is read by Debian 12's udevd too). The one .deb fits
# Debian 12 and 13: built on 12, it depends on 12's libc6 or newer.
# Maintainer scripts (scripts/debian/): prerm (removal: `gnt-com ganeti disable --quiet`,
# `gnt-com down --all`), postinst (upgrade: `gnt-com ganeti refresh --quiet`), postrm
# (purge: /etc/gnt-com's directories when empty; an admin's own hooks stay).
# DEB_MAINTAINER overrides the Maintainer field (and the changelog's signature).
set -eu
cd "$(dirname "$0")/.."
lintian=yes
[ "${1:-}" = "--no-lintian" ] && lintian=no
umask 022

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
case $version in
    [0-9]*) ;;
    *) echo "deb.sh: no <Version> in Directory.Build.props" >&2; exit 1 ;;
esac
arch=$(dpkg --print-architecture)
maintainer=${DEB_MAINTAINER:-GntCom developers <gnt-com@example.org>}
# Reproducible: timestamps and the changelog date come from the last commit.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH
deb=out/gnt-com_${version}_$arch.deb

work=$(mktemp -d /tmp/gnt-com-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
# dpkg-shlibdeps wants the Debian source layout: debian/control, debian/PACKAGE/.
root=$work/debian/gnt-com
mkdir -p "$root"
DESTDIR=$root PREFIX=/usr SYSCONFDIR=/etc scripts/install.sh --xen-link >/dev/null

# As dh_strip does: no .comment/.note sections (the binaries are already stripped of symbols).
for f in "$root"/usr/lib/gnt-com/*; do
    case $f in
        *.so) strip --remove-section=.comment --remove-section=.note --strip-unneeded "$f" ;;
        *) strip --remove-section=.comment --remove-section=.note "$f" ;;
    esac
done

# Manual pages gzipped; gnt-com-ifdown(8) stays a link, now to the .gz.
for page in "$root"/usr/share/man/man*/*; do
    if [ -L "$page" ]; then
        target=$(readlink "$page")
        rm -f "$page"
        ln -s "$target.gz" "$page.gz"
    else
        gzip -9n "$page"
    fi
done

doc=$root/usr/share/doc/gnt-com
install -d "$doc"
install -m 0644 scripts/debian/copyright "$doc/copyright"
install -d "$root/usr/share/lintian/overrides"
install -m 0644 scripts/debian/lintian-overrides "$root/usr/share/lintian/overrides/gnt-com"
{
    echo "gnt-com ($version) unstable; urgency=medium"
    echo
    echo "  * GntCom $version (see /usr/share/doc/gnt-com/README.md upstream);"
    echo "    a native package built by scripts/deb.sh."
    echo
    echo " -- $maintainer  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n > "$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

install -d "$root/DEBIAN"
printf 'Source: gnt-com\n\nPackage: gnt-com\nArchitecture: %s\n' "$arch" > "$work/debian/control"
shlibs=$(cd "$work" && dpkg-shlibdeps -O "debian/gnt-com/usr/lib/gnt-com/"* 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "deb.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

cat > "$root/DEBIAN/control" <<EOF
Package: gnt-com
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --apparent-size "$root" | cut -f1)
Depends: $shlibs, dnsmasq-base
Recommends: libxenstore4
Section: admin
Priority: optional
Description: host networking for Ganeti's guest communication channel
 GntCom gives every guest of a Ganeti node a private channel to its host: an
 interface gnt.com.N addressed 169.254.169.254/32, a host route to the
 guest's own IP, policy rules that keep the channel exclusive (the guest
 reaches its host and nothing else) and a private dnsmasq that leases only
 approved MAC/IP pairs.
 .
 It provides native executables that qemu (tap script= and downscript=),
 Xen's libxl (a vif hotplug script that also routes other vifs as vif-route
 does) and Ganeti's NIC scripts call directly, a udev rule that forgets
 a channel as soon as its interface goes, and gnt-com, the administrator's
 command to switch a Ganeti node to GntCom in one step (gnt-com ganeti
 enable) and to reserve, inspect, check and repair channels. Every call is
 one short process under a host-wide lock, and every failure is undone.
EOF
# Every file in /etc is a conffile (the config and the example hooks: an admin edits them).
(cd "$root" && find etc -type f | sort | sed 's:^:/:') > "$root/DEBIAN/conffiles"
# Files under /usr and /etc only (merged /usr).
outside=$(cd "$root" && find . -mindepth 1 -maxdepth 1 ! -name usr ! -name etc ! -name DEBIAN)
[ -z "$outside" ] || { echo "deb.sh: files outside /usr and /etc: $outside" >&2; exit 1; }
# md5sums of every file but the conffiles (dpkg keeps theirs itself).
(cd "$root" && find usr -type f | sort | xargs md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"
for script in prerm postinst postrm; do
    install -m 0755 "scripts/debian/$script" "$root/DEBIAN/$script"
done

find "$root" -type d -exec chmod 0755 {} +
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
rm -f "$deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "built $deb"

if [ "$lintian" = yes ] && command -v lintian >/dev/null; then
    echo "lintian $deb:"
    lintian --fail-on error,warning "$deb"
    echo "lintian: no errors, no warnings"
fi
