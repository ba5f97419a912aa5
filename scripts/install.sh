#!/bin/sh
# make install / make uninstall: puts GntCom where an operator (or a package) wants it.
#   [PREFIX=/usr/local] [SYSCONFDIR=/etc] [DESTDIR=staging] scripts/install.sh [--xen-link]
#   [PREFIX=/usr/local] [SYSCONFDIR=/etc] [DESTDIR=staging] scripts/install.sh --uninstall
# Layout (files written under DESTDIR; every path written *into* a file or link is the
# final one, without DESTDIR):
#   PREFIX/lib/gnt-com/          the four executables and libMono.Unix.so they load
#   PREFIX/sbin/EXE              -> ../lib/gnt-com/EXE
#   PREFIX/share/man/man5, man8  the manual pages
#   PREFIX/share/bash-completion/completions/gnt-com
#   SYSCONFDIR/gnt-com/          gnt-com.conf (only when absent: every setting commented
#                                with its default), ifup.d/ and ifdown.d/ with example
#                                hooks mode 0644 (examples are never executable)
#   SYSCONFDIR/xen/scripts/vif-gnt-com -> PREFIX/lib/gnt-com/vif-gnt-com, when that
#                                directory exists (always with --xen-link, for packages)
#   UDEVRULESDIR/60-gnt-com.rules the udev rule that forgets a channel when the kernel
#                                removes its interface: /usr/lib/udev/rules.d with
#                                PREFIX=/usr (the package: files under /usr only, which
#                                Debian 12's and 13's udevd both read), else
#                                SYSCONFDIR/udev/rules.d
# Ganeti's /etc/ganeti/kvm-ifup-os and xen-ifup-os are not touched here: `gnt-com ganeti
# enable` puts GntCom's shims there (they name this installation's gnt-com-ifup).
# Uninstall first does what the package's prerm does on removal, asking the installed
# gnt-com: `ganeti disable --quiet` (Ganeti's own files back; silent where GntCom is not
# enabled for Ganeti), then `down --all` (every channel down, dnsmasq stopped, the policy
# rules and the state gone); a failure stops it with gnt-com's own message and removes
# nothing. Then it removes what install added and keeps SYSCONFDIR/gnt-com (config, hooks).
set -eu
cd "$(dirname "$0")/.."
mode=install
xen_link=auto
for a in "$@"; do
    case $a in
        --uninstall) mode=uninstall ;;
        --xen-link) xen_link=always ;;
        *) echo "install.sh: unexpected argument '$a' (use PREFIX=, SYSCONFDIR=, DESTDIR=)" >&2; exit 2 ;;
    esac
done
PREFIX=${PREFIX:-/usr/local}
SYSCONFDIR=${SYSCONFDIR:-/etc}
DESTDIR=${DESTDIR:-}
for v in "$PREFIX" "$SYSCONFDIR"; do
    # These paths are written into the shims and links: absolute, and nothing to quote.
    case $v in
        /*) ;;
        *) echo "install.sh: PREFIX and SYSCONFDIR must be absolute paths, got '$v'" >&2; exit 2 ;;
    esac
    case $v in
        *[!A-Za-z0-9/._+@:-]*) echo "install.sh: '$v' has characters other than letters, digits and /._+@:-" >&2; exit 2 ;;
    esac
done
PREFIX=${PREFIX%/}; SYSCONFDIR=${SYSCONFDIR%/}

bins="gnt-com gnt-com-ifup gnt-com-ifdown vif-gnt-com"
pkglib=$PREFIX/lib/gnt-com
man=$PREFIX/share/man
completion=$PREFIX/share/bash-completion/completions/gnt-com
confdir=$SYSCONFDIR/gnt-com
xenlink=$SYSCONFDIR/xen/scripts/vif-gnt-com
if [ "$PREFIX" = /usr ]; then udevrules=/usr/lib/udev/rules.d; else udevrules=$SYSCONFDIR/udev/rules.d; fi
d=$DESTDIR
# what the udev rule (and uninstall) pass gnt-com: the config, when not the default one
config_arg=
[ "$SYSCONFDIR" = /etc ] || config_arg=" --config $confdir/gnt-com.conf"

if [ "$mode" = uninstall ]; then
    # GntCom goes from the node before its files do: Ganeti must not be left running shims
    # of a program that is gone (every instance start would fail), nor the kernel and /run
    # holding channels nobody will take down. Not for a staged tree (DESTDIR).
    if [ -z "$d" ] && [ -x "$pkglib/gnt-com" ]; then
        # shellcheck disable=SC2086  # config_arg: empty, or --config and a path without spaces
        if ! "$pkglib/gnt-com" $config_arg ganeti disable --quiet || ! "$pkglib/gnt-com" $config_arg down --all; then
            echo "install.sh: uninstall stopped, nothing removed: $pkglib/gnt-com failed (its message is above)" >&2
            exit 1
        fi
    fi
    for b in $bins; do rm -f "$d$PREFIX/sbin/$b" "$d$pkglib/$b"; done
    rm -f "$d$pkglib/libMono.Unix.so" "$d$completion" "$d$udevrules/60-gnt-com.rules"
    # where GntCom 0.3 put the rule with PREFIX=/usr
    [ "$PREFIX" != /usr ] || rm -f "$d/lib/udev/rules.d/60-gnt-com.rules"
    # The Ganeti shims GntCom 0.2 installed here (0.3 writes them with `gnt-com ganeti enable`).
    rm -f "$d$PREFIX/share/gnt-com/ganeti/kvm-ifup-os" "$d$PREFIX/share/gnt-com/ganeti/xen-ifup-os"
    for page in man/*.[0-9]; do rm -f "$d$man/man${page##*.}/${page#man/}"; done
    rmdir "$d$pkglib" "$d$PREFIX/share/gnt-com/ganeti" "$d$PREFIX/share/gnt-com" 2>/dev/null || true
    # Xen's script directory: only our own link goes.
    if [ -L "$d$xenlink" ] && [ "$(readlink "$d$xenlink")" = "$pkglib/vif-gnt-com" ]; then rm -f "$d$xenlink"; fi
    echo "uninstalled from $d$PREFIX (config and hooks in $d$confdir are kept)"
    exit 0
fi

for f in $bins libMono.Unix.so; do
    [ -f "out/$f" ] || { echo "install.sh: out/$f is missing: run make first" >&2; exit 1; }
done

install -d "$d$pkglib" "$d$PREFIX/sbin" "$d$man/man5" "$d$man/man8" "$d${completion%/*}" "$d$udevrules"
for b in $bins; do
    install -m 0755 "out/$b" "$d$pkglib/$b"
    ln -sfn "../lib/gnt-com/$b" "$d$PREFIX/sbin/$b"
done
install -m 0644 out/libMono.Unix.so "$d$pkglib/libMono.Unix.so"

# The udev rule names the installed gnt-com by its final path (and the config, when it is
# not the default one).
sed -e "s|@GNT_COM@|$pkglib/gnt-com$config_arg|g" scripts/udev/60-gnt-com.rules.in > "$d$udevrules/60-gnt-com.rules.tmp"
chmod 0644 "$d$udevrules/60-gnt-com.rules.tmp"
mv -f "$d$udevrules/60-gnt-com.rules.tmp" "$d$udevrules/60-gnt-com.rules"

for page in man/*.[0-9]; do
    # gnt-com-ifdown.8 is a link to gnt-com-ifup.8 (better than .so, say mandoc and Debian).
    if [ -L "$page" ]; then ln -sfn "$(readlink "$page")" "$d$man/man${page##*.}/${page#man/}"
    else install -m 0644 "$page" "$d$man/man${page##*.}/"; fi
done
install -m 0644 scripts/bash-completion/gnt-com "$d$completion"

install -d "$d$confdir/ifup.d" "$d$confdir/ifdown.d"
if [ ! -e "$d$confdir/gnt-com.conf" ]; then
    # One source: scripts/gnt-com.conf.example. hooks_dir's default is /etc/gnt-com; with
    # another SYSCONFDIR the hooks installed below would not be found, so say where.
    if [ "$SYSCONFDIR" = /etc ]; then
        install -m 0644 scripts/gnt-com.conf.example "$d$confdir/gnt-com.conf"
    else
        sed "s|^#hooks_dir = /etc/gnt-com\$|hooks_dir = $confdir|" scripts/gnt-com.conf.example > "$d$confdir/gnt-com.conf"
        chmod 0644 "$d$confdir/gnt-com.conf"
    fi
fi
for dir in ifup.d ifdown.d; do
    for h in scripts/hooks/$dir/*-example; do
        [ -e "$d$confdir/$dir/${h##*/}" ] || install -m 0644 "$h" "$d$confdir/$dir/"
    done
done

if [ "$xen_link" = always ] || [ -d "$d$SYSCONFDIR/xen/scripts" ]; then
    if [ -e "$d$xenlink" ] && ! [ -L "$d$xenlink" ]; then
        echo "install.sh: $d$xenlink exists and is not a link: left alone" >&2
    else
        install -d "$d$SYSCONFDIR/xen/scripts"
        ln -sfn "$pkglib/vif-gnt-com" "$d$xenlink"
        echo "linked $d$xenlink (use script=vif-gnt-com in a vif spec)"
    fi
fi

echo "installed into $d$PREFIX: sbin/{$(echo $bins | tr ' ' ,)}; udev rule $d$udevrules/60-gnt-com.rules"
[ "$SYSCONFDIR" = /etc ] || echo "note: the programs read /etc/gnt-com/gnt-com.conf by default: pass --config $confdir/gnt-com.conf or set GNT_COM_CONF (the udev rule and the Ganeti shims do)"
echo "Ganeti: run 'gnt-com ganeti enable' (see gnt-com(8))"
