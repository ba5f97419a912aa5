#!/bin/sh
# old-debs.sh CACHE VERSION=COMMIT...: the .debs of GntCom's earlier releases, which the
# parts install before upgrading to the current one (and downgrade to). Each is built once
# from its own commit with that commit's own `make deb`, in a throwaway git worktree, and
# kept in CACHE/COMMIT/gnt-com_VERSION_ARCH.deb; prints one line VERSION=PATH per argument.
# Fails with one line naming the version when its commit is missing (a shallow clone), its
# build fails or the .deb it built is not VERSION. Run from the repository (run.sh does).
set -eu
cache=${1:?usage: old-debs.sh CACHE VERSION=COMMIT...}
shift
arch=$(dpkg --print-architecture)
mkdir -p "$cache"
exec 8> "$cache/.lock"
flock -w 1800 8 || { echo "e2e: old releases: $cache/.lock held for 30 min" >&2; exit 1; }

tree=""
# shellcheck disable=SC2317  # run by trap
cleanup() {
    if [ -n "$tree" ]; then
        git worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
        git worktree prune 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for arg in "$@"; do
    version=${arg%%=*} commit=${arg#*=}
    full=$(git rev-parse -q --verify "$commit^{commit}" 2>/dev/null) || {
        echo "e2e: old release $version: commit $commit is not in this clone (a shallow clone? git fetch --unshallow)" >&2
        exit 1
    }
    deb=$cache/$full/gnt-com_${version}_$arch.deb
    if [ ! -s "$deb" ]; then
        echo "e2e: old release $version: building its .deb from $commit with its own 'make deb'" >&2
        tree=$(mktemp -d /tmp/gnt-com-e2e-old.XXXXXX)
        rmdir "$tree"
        git worktree add --detach "$tree" "$full" > /dev/null 2>&1 \
            || { echo "e2e: old release $version: git worktree add $commit failed" >&2; exit 1; }
        log=$cache/build-$version.log
        if ! make -C "$tree" deb > "$log" 2>&1; then
            echo "e2e: old release $version: make deb failed at $commit (see $log): $(tail -n 1 "$log")" >&2
            exit 1
        fi
        built=$tree/out/gnt-com_${version}_$arch.deb
        [ -s "$built" ] || {
            echo "e2e: old release $version: $commit's make deb built no gnt-com_${version}_$arch.deb: $(ls "$tree"/out/*.deb 2>/dev/null | tr '\n' ' ')" >&2
            exit 1
        }
        mkdir -p "$cache/$full"
        cp "$built" "$deb.tmp" && mv "$deb.tmp" "$deb"
        git worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
        git worktree prune 2>/dev/null || true
        tree=""
    fi
    got=$(dpkg-deb -f "$deb" Version)
    [ "$got" = "$version" ] || { echo "e2e: old release $version: $deb is version $got" >&2; exit 1; }
    echo "$version=$deb"
done
