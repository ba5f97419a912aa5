# image.sh: the cached node image the ganeti and cluster parts share, sourced by their
# run.sh (bash, with the release's facts of scripts/e2e/releases.sh already sourced).
# shellcheck shell=bash
#
#   node_image CACHE PART RESULTS
#
# makes CACHE/rootfs the release's node image (ganeti/build-image.sh, with the guests'
# kernel and initramfs): rebuilt when absent or when its inputs change (the stamp is the
# hash of the package list, the build scripts, the guest's files and the release's facts),
# under CACHE/lock, then holds that lock shared on fd 9 so that nobody rebuilds it while
# the caller uses it. PART names the caller in messages and results. On failure it prints
# one line, appends a failing CHECK to RESULTS and returns 1. While it builds, IMAGE_BUILD
# is the pid of the build's `timeout` (a process group of its own): the caller's clean-up
# kills that group; an interrupted build leaves CACHE/rootfs.new, which the next run removes.
IMAGE_BUILD=""
node_image() {
  local cache=$1 part=$2 results=$3 here stamp t0
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  _image_fail() {
    echo "e2e: $part: $1: $2" >&2
    printf 'CHECK\t%s: %s\tfail\t%s\n' "$part" "$1" "$2" >> "$results"
    return 1
  }
  mkdir -p "$cache"
  stamp=$(cd "$here" && { cat node-packages build-image.sh build-guest.sh; e2e_facts
                          find guest -type f -print0 | LC_ALL=C sort -z | xargs -0 cat; } \
          | sha256sum | cut -d' ' -f1)
  exec 9> "$cache/lock"
  flock -w 1800 -x 9 || { _image_fail "image build" "$cache/lock held by another run for 30 min"; return 1; }
  if [ ! -d "$cache/rootfs" ] || [ "$(cat "$cache/stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "e2e: $part: building the $E2E_RELEASE_NAME node image in $cache (stamp $stamp)" >&2
    t0=$(date +%s.%N)
    rm -rf "$cache/rootfs.new" "$cache/stamp"
    # in the background (a signal reaches the caller's trap at once), in its own mount and
    # PID namespaces: an interrupted build leaves no mount or process
    timeout -s KILL 1200 unshare --pid --fork --kill-child "$here/build-image.sh" \
      "$cache/rootfs.new" > "$cache/build.log" 2>&1 &
    IMAGE_BUILD=$!
    if ! wait "$IMAGE_BUILD"; then
      IMAGE_BUILD=""
      _image_fail "image build" "build-image.sh failed, see $cache/build.log: $(tail -n 1 "$cache/build.log")"
      return 1
    fi
    IMAGE_BUILD=""
    rm -rf "$cache/rootfs"
    mv "$cache/rootfs.new" "$cache/rootfs"
    echo "$stamp" > "$cache/stamp"
    printf 'TIME\t%s: image build\t%s\n' "$part" \
      "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')" >> "$results"
  fi
  flock -s 9
}
