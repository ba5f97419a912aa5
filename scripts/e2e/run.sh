#!/bin/sh
# make e2e: GntCom under the real callers, from Debian 12's own packages, as root:
#   ganeti  a single-node Ganeti 3.0.2 cluster with KVM (qemu TCG) instances, in namespaces
#           and a throwaway overlay of a cached Debian root (scripts/e2e/ganeti/)
#   xen     Debian's Xen 4.17 hypervisor with a PV dom0 and PV guests, nested in qemu TCG
#           (scripts/e2e/xen/)
# Each part installs the .deb `make deb` built (out/gnt-com_VERSION_ARCH.deb) and appends
# tab-separated lines to one results file:
#   CHECK<TAB>PART: what<TAB>pass|fail<TAB>detail      TIME<TAB>PART: what<TAB>seconds
# This prints them as one table at the end and exits 0 only when every check passed. What
# the parts build (a Debian root, a dom0 image, guests' initramfs) is cached outside the
# clone, in E2E_CACHE (default /var/cache/gnt-com-e2e/PART), and rebuilt when absent or
# when its inputs change. Neither part changes the host: their own namespaces, overlays and
# temporary directories, all removed on exit and on Ctrl-C.
#   E2E_PARTS="ganeti xen"   the parts to run, in this order
#   E2E_KEEP_LOGS=DIR        keep each part's logs in DIR/PART
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
results=$(mktemp /tmp/gnt-com-e2e-results.XXXXXX)
trap 'rm -f "$results"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

status=0
for part in $parts; do
    if [ ! -x "scripts/e2e/$part/run.sh" ]; then
        printf 'CHECK\t%s: run\tfail\tno scripts/e2e/%s/run.sh\n' "$part" "$part" >> "$results"
        status=1
        continue
    fi
    echo "e2e: $part: starting ($(date -u +%H:%M:%S))" >&2
    E2E_KEEP_LOGS=${E2E_KEEP_LOGS:+$E2E_KEEP_LOGS/$part} \
        "scripts/e2e/$part/run.sh" --deb "$deb" --cache "$cache/$part" --results "$results" || status=1
    # A part that ended without a single result line failed before it could say why.
    grep -q "^CHECK	$part: " "$results" || {
        printf 'CHECK\t%s: run\tfail\tended with no result (see its output above)\n' "$part" >> "$results"
        status=1
    }
done

# One table: every check, then the times.
echo
printf '%-5s  %s\n' RESULT CHECK
awk -F'\t' '$1 == "CHECK" { printf "%-5s  %s%s\n", $3, $2, ($4 != "" ? ": " $4 : "") }' "$results" | cut -c1-220
echo
printf '%9s  %s\n' SECONDS TIME
awk -F'\t' '$1 == "TIME" { printf "%9s  %s\n", $3, $2 }' "$results"
passed=$(grep -c "^CHECK	[^	]*	pass" "$results")
failed=$(grep -c "^CHECK	[^	]*	fail" "$results")
echo
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || status=1
exit $status
