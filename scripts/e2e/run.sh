#!/bin/sh
# make e2e: GntCom under the real callers, from each Debian release's own packages, as root:
#   ganeti  a single-node Ganeti cluster (3.0.2 in Debian 12, 3.1.0~rc2 in Debian 13) with
#           KVM (qemu TCG) instances, in namespaces and a throwaway overlay of a cached
#           Debian root (scripts/e2e/ganeti/)
#   xen     Debian's Xen hypervisor (4.17, 4.20) with a PV dom0 and PV guests, nested in
#           qemu TCG (scripts/e2e/xen/)
#   cluster a two-node Ganeti cluster (the ganeti part's node image, twice) whose KVM
#           instances live-migrate, fail over, are evacuated with gnt-node migrate, and
#           fail to migrate (scripts/e2e/cluster/)
# for each release in E2E_RELEASES; what differs between releases is in one file,
# scripts/e2e/releases.sh. Each part installs the .deb `make deb` built
# (out/gnt-com_VERSION_ARCH.deb) and checks it with the release's lintian, then installs
# it over GntCom's earlier releases (E2E_UPGRADE_FROM: their .debs built once, each from
# its own commit) with guests running, downgrades to the newest of them, and purges.
# Each part is scripts/e2e/PART/run.sh, called once per release as
#   run.sh --release N --deb PATH --cache DIR --results FILE [--old-deb VERSION=PATH]...
#          [--downgrade-to VERSION]
# (a part that tests no upgrade accepts and ignores the last two), and appends
# tab-separated lines to its release's results file (check names must not name the
# release: the table lines them up across releases):
#   CHECK<TAB>PART: what<TAB>pass|fail<TAB>detail      TIME<TAB>PART: what<TAB>seconds
#   FACT<TAB>PART: what<TAB>value                      (what the release runs: versions)
# This prints them as one table at the end, a column per release (facts, checks, times),
# then the details of every failed check, and exits 0 only when every check passed. What
# the parts build (Debian roots, a dom0 image, guests' initramfs, the earlier releases'
# .debs) is cached outside the clone, in E2E_CACHE, and rebuilt when absent or when its
# inputs change. No part changes the host: their own namespaces, overlays and temporary
# directories, all removed on exit and on Ctrl-C.
#   E2E_RELEASES="12 13"     the releases, in this order (default: releases.sh's
#                            E2E_RELEASES_DEFAULT, every release it knows)
#   E2E_PARTS="ganeti xen cluster"
#                            the parts to run, in this order (default: all three)
#   E2E_UPGRADE_FROM="0.2.0=9b5292a 0.3.0=c0ecd43"
#                            GntCom's earlier releases to upgrade from (VERSION=COMMIT);
#                            the last one is also downgraded to; "" for none
#   E2E_CACHE=DIR            default /var/cache/gnt-com-e2e: DIR/debianN/PART for each
#                            release and part, DIR/old-releases/COMMIT for the .debs
#   E2E_KEEP_LOGS=DIR        keep each part's logs in DIR/debianN/PART
set -u
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ]; then
    echo "e2e: must run as root (namespaces, mounts, qemu)" >&2
    exit 1
fi
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
deb=out/gnt-com_${version}_$(dpkg --print-architecture).deb
if [ ! -f "$deb" ]; then
    echo "e2e: setup: $deb is missing: run 'make deb' (make e2e does)" >&2
    exit 1
fi
cache=${E2E_CACHE:-/var/cache/gnt-com-e2e}
parts=${E2E_PARTS:-ganeti xen cluster}
. scripts/e2e/releases.sh
releases=${E2E_RELEASES:-$E2E_RELEASES_DEFAULT}
upgrade_from=${E2E_UPGRADE_FROM-0.2.0=9b5292a 0.3.0=c0ecd43}
names=""
for r in $releases; do
    (E2E_RELEASE=$r; . scripts/e2e/releases.sh) || exit 1
    names="$names $(E2E_RELEASE=$r; . scripts/e2e/releases.sh; echo "$E2E_RELEASE_NAME" | tr ' ' _)"
done
tmp=$(mktemp -d /tmp/gnt-com-e2e.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

status=0
for r in $releases; do : > "$tmp/results.$r"; done
# The earlier releases' .debs (built on this host, installed on every release)
old_args="" newest=""
if [ -n "$upgrade_from" ]; then
    echo "e2e: the .debs of GntCom $(echo "$upgrade_from" | sed 's/=[^ ]*//g') ($(date -u +%H:%M:%S))" >&2
    # shellcheck disable=SC2086  # a list of VERSION=COMMIT words
    if scripts/e2e/old-debs.sh "$cache/old-releases" $upgrade_from > "$tmp/old-debs"; then
        while IFS= read -r line; do
            old_args="$old_args --old-deb $line"
            newest=${line%%=*}
        done < "$tmp/old-debs"
    else
        for r in $releases; do
            printf 'CHECK\tupgrade: the .debs of the earlier releases (%s)\tfail\t%s\n' "$upgrade_from" \
                "scripts/e2e/old-debs.sh failed (see above): no upgrade tested" >> "$tmp/results.$r"
        done
        status=1
    fi
fi
[ -z "$newest" ] || old_args="$old_args --downgrade-to $newest"
# An upgrade from a release to itself would test nothing: the current .deb must be newer.
for o in $(cat "$tmp/old-debs" 2>/dev/null); do
    v=${o%%=*}
    if dpkg --compare-versions "$version" gt "$v"; then r=pass d="$version > $v"
    else r=fail d="$version is not newer than $v: Directory.Build.props' <Version> must be raised for an upgrade to be one"; fi
    for rel in $releases; do
        printf 'CHECK\tupgrade: the current .deb is newer than %s\t%s\t%s\n' "$v" "$r" "$d" >> "$tmp/results.$rel"
    done
done

for r in $releases; do
    for part in $parts; do
        if [ ! -x "scripts/e2e/$part/run.sh" ]; then
            printf 'CHECK\t%s: run\tfail\tno scripts/e2e/%s/run.sh\n' "$part" "$part" >> "$tmp/results.$r"
            status=1
            continue
        fi
        echo "e2e: Debian $r: $part: starting ($(date -u +%H:%M:%S))" >&2
        before=$(wc -l < "$tmp/results.$r")
        # shellcheck disable=SC2086  # old_args: options and paths without spaces
        E2E_KEEP_LOGS=${E2E_KEEP_LOGS:+$E2E_KEEP_LOGS/debian$r/$part} \
            "scripts/e2e/$part/run.sh" --release "$r" --deb "$deb" --cache "$cache/debian$r/$part" \
            --results "$tmp/results.$r" $old_args || status=1
        # A part that ended without a single result line failed before it could say why.
        tail -n +"$((before + 1))" "$tmp/results.$r" | grep -q "^CHECK	$part: " || {
            printf 'CHECK\t%s: run\tfail\tended with no result (see its output above)\n' "$part" >> "$tmp/results.$r"
            status=1
        }
    done
done

# One table, a column per release: the facts, every check, the times; then what failed.
set --
for r in $releases; do set -- "$@" "$tmp/results.$r"; done
awk -F'\t' -v names="$names" '
BEGIN {
    n = split(names, rel, " "); for (i = 1; i <= n; i++) gsub("_", " ", rel[i])
    for (i = 1; i < ARGC; i++) file[ARGV[i]] = i
}
{ r = file[FILENAME] }
$1 == "CHECK" || $1 == "TIME" || $1 == "FACT" {
    k = $1 SUBSEP $2
    if (!(k in seen)) { seen[k] = 1; key[$1, ++cnt[$1]] = $2 }
    if ($1 == "CHECK") {
        v = ($3 == "pass") ? "pass" : "FAIL"
        if (((k, r) in val) && val[k, r] == "FAIL") v = "FAIL"    # seen twice: a failure wins
        if (v == "FAIL") { nfail[r]++; why[++nw] = "[" rel[r] "] " $2 ": " $4 } else npass[r]++
    } else v = $3
    val[k, r] = v
}
function table(type, title, right,    i, j, w, line, c) {
    if (!cnt[type]) return
    for (j = 1; j <= n; j++) {
        w[j] = length(rel[j])
        for (i = 1; i <= cnt[type]; i++) {
            c = ((type SUBSEP key[type, i], j) in val) ? val[type SUBSEP key[type, i], j] : "-"
            if (length(c) > w[j]) w[j] = length(c)
        }
    }
    line = ""
    for (j = 1; j <= n; j++) line = line sprintf("%-" w[j] "s  ", rel[j])
    print line title
    for (i = 1; i <= cnt[type]; i++) {
        line = ""
        for (j = 1; j <= n; j++) {
            c = ((type SUBSEP key[type, i], j) in val) ? val[type SUBSEP key[type, i], j] : "-"
            line = line sprintf("%" (right ? "" : "-") w[j] "s  ", c)
        }
        print substr(line key[type, i], 1, 230)
    }
    print ""
}
END {
    print ""
    table("FACT", "FACT (what each release runs)", 0)
    table("CHECK", "CHECK", 0)
    table("TIME", "SECONDS", 1)
    if (nw) {
        print "FAILED"
        for (i = 1; i <= nw; i++) print substr(why[i], 1, 400)
        print ""
    }
    line = ""
    for (j = 1; j <= n; j++) line = line sprintf("%s%s: %d passed, %d failed", (j > 1 ? "; " : ""), rel[j], npass[j], nfail[j])
    print "e2e: " line
}' "$@"
failed=$(cat "$@" 2>/dev/null | grep -c "^CHECK	[^	]*	fail")
[ "$failed" -eq 0 ] || status=1
if [ -n "${E2E_KEEP_LOGS:-}" ]; then
    for r in $releases; do mkdir -p "$E2E_KEEP_LOGS/debian$r" && cp "$tmp/results.$r" "$E2E_KEEP_LOGS/debian$r/results.tsv"; done
fi
exit $status
