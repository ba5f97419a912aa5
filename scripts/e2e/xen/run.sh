#!/bin/bash
# The Xen part of `make e2e`: the release's real Xen (4.17 in Debian 12, 4.20 in Debian 13)
# nested in qemu under TCG, with a PV dom0 (the release's kernel and xen-utils), driving
# GntCom's real .deb; then GntCom's earlier releases upgraded to it under running guests.
#
#   scripts/e2e/xen/run.sh --deb PATH [--release 12|13] [--cache DIR] --results FILE
#                          [--logs DIR] [--old-deb VERSION=PATH]... [--downgrade-to VERSION]
#
# --release  the Debian release (scripts/e2e/releases.sh: what differs between them)
# --cache    the built image (build-image.sh), default /var/cache/gnt-com-e2e/debianN/xen
# --results  lines appended, tab-separated:
#              CHECK <TAB> xen: WHAT <TAB> pass|fail <TAB> detail
#              TIME  <TAB> xen: WHAT <TAB> seconds
#              FACT  <TAB> xen: WHAT <TAB> value         (what the release runs)
# --logs     where to keep the run's logs (serial console, dom0's logs); default: $E2E_KEEP_LOGS, else a
#            temporary directory removed at exit (its tail is printed on failure)
# --old-deb  an earlier release of GntCom to upgrade from (upgrade.sh, in dom0); with
#            --downgrade-to VERSION that one is also installed back over the current .deb
# Exits 0 only when every check passed. A step that cannot start prints
# "e2e: xen: STEP: WHY" on stderr and adds a failing CHECK naming it.
#
# Facts that shaped it (these machines):
# - /dev/kvm is nested (kvm_pvm): Xen cannot run on it, and a Linux guest under
#   -accel kvm hangs early. qemu's TCG runs Xen with -cpu Nehalem.
# - qemu's multiboot loader takes Xen as -kernel (GUNZIPPED: it reads no gzip, and
#   xen.gz's payload is a 32-bit ELF it accepts) and the modules as -initrd
#   "KERNEL CMDLINE,INITRD" (commas separate modules: no commas in paths).
# - Xen's and dom0's consoles both go to com1 (-serial file:): markers E2E-* come
#   from dom0 (dom0-init.sh); the results come back as a tar dom0 writes on a raw disk.
#   Xen 4.17 says "*** Serial input to DOM0" at loglvl=warning, 4.20 only at info
#   (E2E_XEN_LOGLVL, E2E_XEN_BOOT_MARKER in releases.sh).
# - No network for qemu (-nic none): every guest's network lives inside dom0.
# - The cached root is opened with snapshot=on (writes go to a temporary file under
#   TMPDIR, which is ours), so a run never changes the cache.
# - Disks: vda dom0's root (cache, snapshot=on), vdb the run's inputs (a plain tar:
#   dom0-init.sh, scenario.sh, upgrade.sh, guest-init, releases.sh and the release's
#   number, the .deb, the earlier releases' .debs and their list), vdc the outputs (a tar
#   dom0 writes).
# - Speculative-execution mitigations off (Xen and Linux): they protect nothing in an
#   emulated CPU and XPTI alone made every PV syscall flush page tables under TCG.
# - Here: Xen boots in ~5 s, dom0 in ~15-20 s, the scenario takes ~2.5-3 min (up to
#   ~5 min while other tests load both cores) and each upgrade ~3 min more; a cold
#   cache adds ~1-3 min (mmdebstrap).
set -u
here=$(cd "$(dirname "$0")" && pwd)

deb="" cache="" results="" logs=${E2E_KEEP_LOGS:-} release=12 old_debs="" downgrade_to=""
usage="usage: $0 --deb PATH [--release 12|13] [--cache DIR] --results FILE [--logs DIR] [--old-deb VERSION=PATH]... [--downgrade-to VERSION]"
while [ $# -gt 0 ]; do
    case "$1" in
        --deb) deb=$2; shift 2 ;;
        --release) release=$2; shift 2 ;;
        --cache) cache=$2; shift 2 ;;
        --results) results=$2; shift 2 ;;
        --logs) logs=$2; shift 2 ;;
        --old-deb) old_debs="$old_debs $2"; shift 2 ;;
        --downgrade-to) downgrade_to=$2; shift 2 ;;
        *) echo "$usage" >&2; exit 2 ;;
    esac
done
if [ -z "$deb" ] || [ -z "$results" ]; then
    echo "$usage" >&2; exit 2
fi
cache=${cache:-/var/cache/gnt-com-e2e/debian$release/xen}
[ "$(id -u)" = 0 ] || { echo "e2e: xen: setup: must run as root" >&2; exit 2; }
export E2E_RELEASE=$release
. "$here/../releases.sh" || exit 2
deb=$(readlink -f "$deb")
touch "$results" || exit 2
results=$(readlink -f "$results")
base=$(wc -l < "$results")     # lines of earlier runs are not ours to judge

# Timeouts (seconds), each wait has one
: "${XEN_E2E_BOOT_TIMEOUT:=420}"      # qemu start -> dom0 ready (Xen + dom0 boot)
: "${XEN_E2E_RUN_TIMEOUT:=2400}"      # dom0 ready -> scenario done (with the upgrades)
: "${XEN_E2E_MEM:=3072}"              # the emulated machine's memory (MB)
: "${XEN_E2E_DOM0_MEM:=1024}"         # dom0's memory (MB); the rest is for the guests

t_start=$(date +%s)
tmp=$(mktemp -d /tmp/gnt-com-e2e-xen.XXXXXX)
qemu_pid="" build_pid=""

stop_qemu() {
    if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
        kill "$qemu_pid" 2>/dev/null
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$qemu_pid" 2>/dev/null
    fi
    [ -z "$qemu_pid" ] || wait "$qemu_pid" 2>/dev/null
    qemu_pid=""
}
cleanup() {
    if [ -n "$build_pid" ] && kill -0 "$build_pid" 2>/dev/null; then
        kill -TERM -- "-$build_pid" 2>/dev/null
        for _ in $(seq 60); do kill -0 "$build_pid" 2>/dev/null || break; sleep 0.5; done
    fi
    stop_qemu
    if [ -n "$logs" ] && [ -d "$tmp" ]; then
        mkdir -p "$logs"
        cp -r "$tmp/serial.log" "$tmp/serial-crash.log" "$tmp/out" "$logs/" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "e2e: xen: interrupted" >&2; check "run" fail "interrupted (SIGINT)"; exit 130' INT
trap 'echo "e2e: xen: terminated" >&2; check "run" fail "terminated (SIGTERM)"; exit 143' TERM

check() { printf 'CHECK\txen: %s\t%s\t%s\n' "$1" "$2" "$3" >> "$results"; }
timing() { printf 'TIME\txen: %s\t%s\n' "$1" "$2" >> "$results"; }

# A step that cannot start: one line on stderr, a failing CHECK, the serial's tail.
cannot() {
    echo "e2e: xen: $1: $2" >&2
    check "$1" fail "$2"
    if [ -s "$tmp/serial.log" ]; then
        echo "--- last lines of the serial console ---" >&2
        tail -n 30 "$tmp/serial.log" | tr -d '\r' >&2
    fi
    timing "whole part" $(( $(date +%s) - t_start ))
    exit 1
}

[ -f "$deb" ] || cannot "setup" "no .deb at $deb"
for tool in qemu-system-x86_64 mmdebstrap mke2fs tar; do
    command -v "$tool" >/dev/null || cannot "setup" "$tool not installed (scripts/debian-packages lists it: make deps)"
done

# --- 1. the cached image ---------------------------------------------------------------
t0=$(date +%s)
# its own process group (setsid), so that an abort stops mmdebstrap too; `wait` lets the
# traps run at once
setsid "$here/build-image.sh" "$cache" > "$tmp/build.log" 2>&1 &
build_pid=$!
wait "$build_pid"; rc=$?
build_pid=""
if [ $rc != 0 ]; then
    tail -n 20 "$tmp/build.log" >&2
    cannot "image build" "build-image.sh failed (log above)"
fi
timing "image build (0 when cached)" $(( $(date +%s) - t0 ))

# --- 2. the run's data disk: a plain tar dom0 unpacks into /run/e2e --------------------
mkdir -p "$tmp/data" "$tmp/out"
cp "$here/dom0-init.sh" "$here/scenario.sh" "$here/upgrade.sh" "$here/guest-init" "$here/../releases.sh" "$tmp/data/" \
    || cannot "setup" "cannot copy dom0-init.sh, scenario.sh, upgrade.sh, guest-init, releases.sh"
echo "$release" > "$tmp/data/release"
cp "$deb" "$tmp/data/gnt-com.deb" || cannot "setup" "cannot copy $deb"
: > "$tmp/data/upgrades"
for o in $old_debs; do
    v=${o%%=*}
    cp "${o#*=}" "$tmp/data/old-$v.deb" || cannot "setup" "cannot copy GntCom $v's .deb (${o#*=})"
    echo "$v $( [ "$v" = "$downgrade_to" ] && echo yes || echo no)" >> "$tmp/data/upgrades"
done
tar -C "$tmp/data" -cf "$tmp/data.tar" . || cannot "setup" "cannot write the data disk"
# the results disk: dom0 writes a tar on it at the end
truncate -s 256M "$tmp/out.img"

# --- 3. boot ---------------------------------------------------------------------------
xen_cmdline="console=com1 com1=115200,8n1 dom0_mem=${XEN_E2E_DOM0_MEM}M,max:${XEN_E2E_DOM0_MEM}M"
xen_cmdline="$xen_cmdline dom0_max_vcpus=2 bootscrub=0 loglvl=$E2E_XEN_LOGLVL guest_loglvl=warning"
# speculative-execution mitigations guard nothing in an emulated CPU and cost a lot under
# TCG (XPTI flushes page tables on every PV guest syscall); no network behaviour depends
# on them. bootscrub=0: scrubbing free RAM page by page is slow under TCG.
xen_cmdline="$xen_cmdline spec-ctrl=no xpti=false pv-l1tf=false"
dom0_cmdline="root=/dev/vda rw console=hvc0 init=/sbin/e2e-boot quiet loglevel=4 mitigations=off"

# wait_for PATTERN TIMEOUT: 0 when the serial log has a line matching PATTERN,
# 1 on timeout, 2 when qemu ended first, 3 on a fatal marker or a Xen panic
wait_for() {
    local deadline=$(( $(date +%s) + $2 ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        grep -qa -- "$1" "$tmp/serial.log" && return 0
        grep -qa -e 'E2E-FATAL' -e 'Panic on CPU' -e 'Kernel panic' "$tmp/serial.log" && return 3
        kill -0 "$qemu_pid" 2>/dev/null || { grep -qa -- "$1" "$tmp/serial.log" && return 0; return 2; }
        sleep 1
    done
    return 1
}
why() {
    case $1 in
        1) echo "timed out after $2 s" ;;
        2) echo "qemu exited ($(tail -n1 "$tmp/qemu.log" 2>/dev/null))" ;;
        3) grep -a -m1 -e 'E2E-FATAL' -e 'Panic on CPU' -e 'Kernel panic' "$tmp/serial.log" | tr -d '\r' ;;
    esac
}

boot() {
    : > "$tmp/serial.log"
    echo "xen e2e: booting $E2E_RELEASE_NAME's Xen $E2E_XEN and dom0 in qemu (TCG)" >&2
    TMPDIR=$tmp qemu-system-x86_64 \
        -accel tcg -cpu Nehalem -smp 2 -m "$XEN_E2E_MEM" \
        -nodefaults -display none -no-reboot -nic none \
        -serial "file:$tmp/serial.log" -monitor none \
        -kernel "$cache/xen" -append "$xen_cmdline" \
        -initrd "$cache/vmlinuz $dom0_cmdline,$cache/initrd.img" \
        -drive "file=$cache/rootfs.img,if=virtio,format=raw,snapshot=on" \
        -drive "file=$tmp/data.tar,if=virtio,format=raw,readonly=on" \
        -drive "file=$tmp/out.img,if=virtio,format=raw" \
        > "$tmp/qemu.log" 2>&1 &
    qemu_pid=$!
    t_qemu=$(date +%s)
}

# crashed RC: the emulated machine's kernel or Xen panicked (not a marker of ours)
crashed() { [ "$1" = 3 ] && ! grep -qa 'E2E-FATAL' "$tmp/serial.log"; }
# what dom0 echoed on the console (E2E-RESULT lines): the results when the disk has none
salvage() { grep -a '^E2E-RESULT' "$tmp/serial.log" | tr -d '\r' | sed 's/^E2E-RESULT //' >> "$results"; }
last_step() { grep -a '^E2E-STEP' "$tmp/serial.log" | tail -n1 | tr -d '\r' | sed 's/^E2E-STEP //'; }

# Boot, then --- 4. the scenario (dom0's scenario.sh). A panic of the nested machine's
# kernel or of Xen (seen once so far, in a Debian 13 run: dom0's 6.12 in an RCU
# callback, in interrupt, as its first guests started) costs one more boot from scratch:
# its first lines are printed, its console kept (serial-crash.log with --logs) and a FACT
# row names it, so it never passes unseen; a second crash fails the part like any other.
attempt=1
while :; do
    boot
    stage="Xen boot"
    wait_for "$(printf '%s' "$E2E_XEN_BOOT_MARKER" | sed 's/[][\.*^$]/\\&/g')" "$XEN_E2E_BOOT_TIMEOUT"; rc=$?
    if [ $rc = 0 ]; then
        t_xen=$(date +%s)
        timing "Xen boot (qemu start to dom0 start)" $(( t_xen - t_qemu ))
        stage="dom0 boot"
        wait_for 'E2E-DOM0-UP' $(( XEN_E2E_BOOT_TIMEOUT - (t_xen - t_qemu) )); rc=$?
    fi
    if [ $rc = 0 ]; then
        t_dom0=$(date +%s)
        timing "dom0 boot (to xenstored, xenconsoled, xl info)" $(( t_dom0 - t_xen ))
        check "Xen and dom0 boot" pass "$(grep -a -m1 'E2E-DOM0-UP' "$tmp/serial.log" | tr -d '\r' | sed 's/.*E2E-DOM0-UP //')"
        echo "xen e2e: dom0 up after $(( t_dom0 - t_qemu )) s; running the scenario" >&2
        stage="scenario"
        wait_for 'E2E-DONE' "$XEN_E2E_RUN_TIMEOUT"; rc=$?
        t_done=$(date +%s)
    fi
    if [ $attempt = 1 ] && crashed $rc; then
        crash="$(why $rc) in $stage$([ "$stage" = scenario ] && echo ", step: $(last_step)")"
        echo "e2e: xen: the nested machine crashed: $crash; booting it once more" >&2
        grep -a -m12 -e 'BUG:' -e 'Oops' -e 'RIP:' -e 'general protection' -e 'Kernel panic' -e 'Panic on CPU' \
            "$tmp/serial.log" | tr -d '\r' | sed 's/^/    /' >&2
        stop_qemu
        mv "$tmp/serial.log" "$tmp/serial-crash.log"
        # this attempt's lines go; the crash stays, as a FACT row
        head -n "$base" "$results" > "$tmp/results.kept" && cat "$tmp/results.kept" > "$results"
        printf 'FACT\txen: a crash of the nested machine, booted again\t%s\n' "$(echo "$crash" | cut -c1-150)" >> "$results"
        rm -f "$tmp/out.img" && truncate -s 256M "$tmp/out.img"
        attempt=2
        continue
    fi
    break
done
case $stage in
    "Xen boot"|"dom0 boot") [ $rc = 0 ] || cannot "$stage" "$(why $rc "$XEN_E2E_BOOT_TIMEOUT")" ;;
esac
if [ $rc != 0 ]; then
    salvage
    cannot "scenario" "$(why $rc "$XEN_E2E_RUN_TIMEOUT") in step: $(last_step)"
fi
# dom0 reboots and qemu runs with -no-reboot: qemu ends by itself
for _ in $(seq 30); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 1; done
timing "scenario in dom0" $(( t_done - t_dom0 ))
if ! tar -C "$tmp/out" -xf "$tmp/out.img" 2>/dev/null || [ ! -f "$tmp/out/results" ]; then
    salvage
    cannot "scenario" "no results on the results disk (last step: $(last_step))"
fi
cat "$tmp/out/results" >> "$results"
[ -f "$tmp/out/fatal" ] && cannot "scenario" "$(cat "$tmp/out/fatal")"
grep -q '^CHECK' "$tmp/out/results" || cannot "scenario" "dom0 reported no check"
timing "whole part" $(( $(date +%s) - t_start ))

# pass only when every check of this run passed (ours and dom0's)
ours=$(tail -n +"$((base + 1))" "$results" | grep '^CHECK')
n=$(echo "$ours" | wc -l)
fails=$(echo "$ours" | awk -F'\t' '$3 != "pass"' | wc -l)
echo "xen e2e: $n checks, $fails failed, $(( $(date +%s) - t_start )) s (results in $results)" >&2
echo "$ours" | awk -F'\t' '$3 != "pass" { print "xen e2e: FAIL " $2 ": " $4 }' | cut -c1-300 >&2
[ "$fails" = 0 ]
