# upgrade.sh: the end of dom0's scenario, sourced by scenario.sh (its functions at hand):
#  - apt-get purge of the .deb the scenario installed: nothing of GntCom is left;
#  - for each earlier release of GntCom on the data disk ($E/upgrades: lines "VERSION
#    yes|no", the .deb as $E/old-VERSION.deb): that release installed and enabled for
#    Ganeti as it documents, an admin's hooks, two channel guests (a vif with ip=, and
#    Ganeti's form completed by xen-ifup-os), then the current .deb installed over it while
#    they run. After it: `gnt-com check` clean, still enabled (`ganeti enable --dry-run`
#    has nothing to do), both channels kept, both guests lease again; `xl reboot` of the
#    Ganeti-form guest (the old release's record taken down by this version's offline,
#    the channel back with no xen-ifup-os) and `xl destroy` of the other (its channel
#    goes), the hooks running for each. With "yes", the old release
#    installed back over the current one while a guest runs: it works, or it is refused
#    with a clear message and changes nothing (which one is a FACT row); last, apt-get purge
#    with a guest running: nothing of GntCom left.
# Check names start with "from VERSION:".
# shellcheck shell=sh

HOOKS_LOG=/run/e2e-hooks.log
installed_version() {   # the gnt-com version dpkg has installed (empty: none)
    dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' gnt-com 2>/dev/null | awk '$1 == "ii" {print $2}'
}
# nothing_left: what a purge leaves of GntCom in dom0 (empty: nothing)
nothing_left() {
    left=""
    [ -z "$(installed_version)" ] || left="$left; dpkg: installed"
    dpkg-query -W -f='${db:Status-Abbrev}\n' gnt-com 2>/dev/null | grep -q '^.c' && left="$left; dpkg: config-files kept"
    # /etc/gnt-com: only what is not the package's may stay, the admin's own hooks (90-e2e)
    p=$(find /etc/gnt-com ! -type d ! -name 90-e2e 2>/dev/null | tr '\n' ' ')
    [ -z "$p" ] || left="$left; /etc/gnt-com: $p"
    # /run/gnt-com: no state; `down --all` keeps the (empty) lock file on purpose, so that
    # a call waiting for the lock is never split from the next one: that alone may stay
    p=$(find /run/gnt-com ! -type d ! \( -name lock -empty \) 2>/dev/null | tr '\n' ' ')
    [ -z "$p" ] || left="$left; /run/gnt-com: $p"
    for f in /usr/lib/gnt-com /usr/sbin/gnt-com /usr/share/gnt-com \
             /usr/lib/udev/rules.d/60-gnt-com.rules /etc/udev/rules.d/60-gnt-com.rules \
             /etc/xen/scripts/vif-gnt-com /etc/ganeti/kvm-ifup-os /etc/ganeti/xen-ifup-os \
             /etc/ganeti/kvm-ifup-os.gnt-com-orig /etc/ganeti/xen-ifup-os.gnt-com-orig; do
        if [ -e "$f" ] || [ -L "$f" ]; then left="$left; $f"; fi
    done
    p=$(find /etc/ganeti/hooks -name '*gnt-com*' 2>/dev/null | tr '\n' ' ')
    [ -z "$p" ] || left="$left; Ganeti hooks: $p"
    p=$(dpkg-divert --list 2>/dev/null | grep -e gnt-com -e vif-ganeti-metad | tr '\n' ' ')
    [ -z "$p" ] || left="$left; diversions: $p"
    p=$(for q in /proc/[0-9]*; do
            tr '\0' ' ' < "$q/cmdline" 2>/dev/null | grep -q '^[^ ]*dnsmasq .*gnt-com' && echo "${q#/proc/}"
        done | tr '\n' ' ')
    [ -z "$p" ] || left="$left; GntCom's dnsmasq: pid $p"
    p=$(ip rule show | grep -E '^1692[0-3]:' | tr '\n' ' ')
    [ -z "$p" ] || left="$left; policy rules: $p"
    echo "${left#; }"
}
# purge_check NAME TAG [IFACE IP]: apt-get purge gnt-com, then nothing of GntCom may be
# left; with IFACE IP (a running guest's channel on a node enabled for Ganeti) the prerm's
# `ganeti disable` hands it to Ganeti's scripts: its address and route stay
purge_check() {
    apt-get purge -y gnt-com > "$O/purge-$2.log" 2>&1; rc=$?
    check "$1: apt-get purge gnt-com" "$(pf $rc)" \
        "exit $rc: $(grep -E '^(Purging|Removing)|gnt-com:' "$O/purge-$2.log" | tr '\n' ' ')"
    l=$(nothing_left)
    check "$1: purge leaves nothing of GntCom (package, config, udev rule, Xen link, shims, Ganeti hooks, state, dnsmasq, rules)" \
        "$( [ -z "$l" ] && echo pass || echo fail)" "${l:-nothing left}"
    p=$(ip -o -4 addr show | awk '$2 ~ /^gnt\.com\./ {print $2 " " $4}' | grep -v "^${3:-none} " | tr '\n' ' ')
    check "$1: purge: no other channel address left" "$( [ -z "$p" ] && echo pass || echo fail)" "${p:-none}"
    if [ -n "${3:-}" ]; then
        d=$(channel_ok "$3" "$4"); rc=$?
        check "$1: the running guest's channel handed to Ganeti's scripts (address and route kept)" "$(pf $rc)" "$d"
    fi
}
# renew NAME IP ID: the running guest leases again on eth0 (udhcpc through its agent)
renew() {
    out=$(guest_cmd "$1" "$2" "$3" 'rm -f /tmp/lease.eth0
udhcpc -i eth0 -s /tmp/udhcpc.sh -q -n -t 10 -T 2 >/dev/null 2>&1
cat /tmp/lease.eth0' 90)
    echo "${out:-no answer from $1's agent}"
    echo "$out" | grep -q "rc=0 $2"
}
# reboot_back NAME IFACE IP: xl reboot; the domain restarts, its channel comes back and
# the guest leases and fetches again; prints what it saw
reboot_back() {
    old=$(xl domid "$1" 2>/dev/null)
    n=$(count_guest "$1" "http eth0"); nl=$(count_guest "$1" "nolease eth0")
    timeout 120 xl reboot "$1" > "$O/xl-reboot-$1.log" 2>&1
    new=$old; w=0
    while [ "$new" = "$old" ] || [ -z "$new" ]; do
        w=$((w + 1)); [ $w -gt 120 ] && break
        sleep 1; new=$(xl domid "$1" 2>/dev/null)
    done
    r=$(guest_ok "$1" eth0 "$3" $((n + 1)) 240 "$nl")
    d=$(channel_ok "$2" "$3"); rc=$?
    echo "domid $old -> ${new:-none}; $d; guest: $(grep -a -e "E2E-GUEST $1 .*lease" -e "E2E-GUEST $1 http" "$CONS/guest-$1.log" | tail -n2 | tr -d '\r' | tr '\n' ';')"
    [ "$r" = pass ] && [ $rc = 0 ] && [ -n "$new" ] && [ "$new" != "$old" ]
}

# ====================================================================================
step "apt-get purge of the .deb installed above"
purge_check "fresh install" fresh

# ====================================================================================
k=0   # (scenario.sh's helpers use i)
# (the list on fd 3: dpkg, apt-get and xl read stdin)
while read -r V downgrade <&3; do
    [ -n "$V" ] || continue
    k=$((k + 1))
    P="from $V"
    A=u${k}a B=u${k}b
    IPA=169.254.2$k.11 MACA=00:16:3e:00:2$k:11
    IPB=169.254.2$k.12 MACB=00:16:3e:00:2$k:12
    step "$P: installed and enabled, two channel guests"
    dpkg -i "$E/old-$V.deb" > "$O/install-$V.log" 2>&1
    if [ "$(installed_version)" != "$V" ]; then
        check "$P: install $V" fail "$(tail -n 2 "$O/install-$V.log" | tr '\n' ' ')"
        continue
    fi
    # enabled for Ganeti as that release says: 0.2 had the admin link its shims (README);
    # from 0.3 on, `gnt-com ganeti enable`
    if [ -f /usr/share/gnt-com/ganeti/xen-ifup-os ]; then
        how="ln -s /usr/share/gnt-com/ganeti/*-ifup-os /etc/ganeti/"
        ln -sfn /usr/share/gnt-com/ganeti/kvm-ifup-os /etc/ganeti/kvm-ifup-os
        ln -sfn /usr/share/gnt-com/ganeti/xen-ifup-os /etc/ganeti/xen-ifup-os
    else
        how="gnt-com ganeti enable"
        gnt-com ganeti enable > "$O/enable-$V.log" 2>&1 \
            || check "$P: gnt-com ganeti enable ($V)" fail "$(tr '\n' ' ' < "$O/enable-$V.log")"
    fi
    # an admin's hooks: each call appends a line to a log
    for d in ifup.d ifdown.d; do
        printf '#!/bin/sh\necho "%s $INTERFACE $IP" >> %s\n' "${d%.d}" "$HOOKS_LOG" > "/etc/gnt-com/$d/90-e2e"
        chmod 0755 "/etc/gnt-com/$d/90-e2e"
    done
    : > "$HOOKS_LOG"
    mkcfg "$A" "mac=$MACA,ip=$IPA,vifname=gnt.com.0,script=vif-gnt-com"
    mkcfg "$B" "mac=$MACB,vifname=gnt.com.1,script=vif-gnt-com"
    xl_create "$A"; rca=$?
    xl_create "$B"; rcb=$?
    env -i PATH=/usr/bin:/bin:/sbin:/usr/sbin INTERFACE=gnt.com.1 MODE=routed IP=$IPB MAC=$MACB \
        INSTANCE=$B INTERFACE_INDEX=0 INTERFACE_UUID=e2e-nic-$B TAGS= LINK= \
        sh -c /etc/ganeti/xen-ifup-os > "$O/xen-ifup-os-$B.log" 2>&1; rcx=$?
    ra=$(guest_ok "$A" eth0 "$IPA" 1 240); rb=$(guest_ok "$B" eth0 "$IPB" 1 240)
    check "$P: with $V, both channel guests lease and fetch (ip= form, Ganeti's form)" \
        "$( [ $rca = 0 ] && [ $rcb = 0 ] && [ $rcx = 0 ] && [ "$ra$rb" = passpass ] && echo pass || echo fail)" \
        "enabled by $how; xl create $rca/$rcb, xen-ifup-os $rcx ($(tr '\n' ' ' < "$O/xen-ifup-os-$B.log")); $A: $ra, $B: $rb; records: $(records)"
    if [ "$ra$rb" != passpass ]; then
        xl destroy "$A" 2>/dev/null; xl destroy "$B" 2>/dev/null
        apt-get purge -y gnt-com > /dev/null 2>&1
        continue
    fi
    h=$(tr '\n' ';' < "$HOOKS_LOG")
    case "$h" in
        *"ifup gnt.com.0 $IPA;"*"ifup gnt.com.1 $IPB;"*) r=pass ;;
        *) r=fail ;;
    esac
    check "$P: the admin's ifup hook ran for both (with $V)" $r "hook log: ${h:-empty}"

    # ================================================================================
    step "$P: the current .deb over it, the guests running"
    t0=$(now)
    dpkg -i "$E/gnt-com.deb" > "$O/upgrade-$V.log" 2>&1; rc=$?
    timing "$P: dpkg -i of the current .deb (upgrade)" "$(secs "$t0" "$(now)")"
    v=$(installed_version)
    check "$P: upgrade to the current .deb, channel guests running (dpkg -i)" \
        "$( [ $rc = 0 ] && [ "$v" = "$(dpkg-deb -f "$E/gnt-com.deb" Version)" ] && echo pass || echo fail)" \
        "exit $rc, $V -> ${v:-none}: $(grep -v -E '^\(Reading|^Preparing|^Unpacking|^Setting up|^Processing' "$O/upgrade-$V.log" | tail -n 3 | tr '\n' ' ')"
    clean "$P: right after the upgrade"
    out=$(gnt-com ganeti enable --dry-run 2>&1)
    check "$P: still enabled for Ganeti (enable --dry-run has nothing to do)" \
        "$(echo "$out" | grep -q 'nothing to do: GntCom is enabled for Ganeti here' && [ -x /etc/ganeti/xen-ifup-os ] && [ ! -L /etc/ganeti/xen-ifup-os ] && echo pass || echo fail)" \
        "$(echo "$out" | tr '\n' ' '); xen-ifup-os: $(ls -l /etc/ganeti/xen-ifup-os 2>&1 | sed 's/.* \/etc/\/etc/')"
    da=$(channel_ok gnt.com.0 "$IPA"); rca=$?
    db=$(channel_ok gnt.com.1 "$IPB"); rcb=$?
    recs=$(records)
    check "$P: both channels kept (address, route, record)" \
        "$( [ $rca = 0 ] && [ $rcb = 0 ] && [ "$recs" = "gnt.com.0 gnt.com.1 " ] && echo pass || echo fail)" \
        "$da; $db; records: $recs"
    la=$(renew "$A" "$IPA" "$V-renew-a"); rca=$?
    lb=$(renew "$B" "$IPB" "$V-renew-b"); rcb=$?
    check "$P: after the upgrade, both guests lease again" \
        "$( [ $rca = 0 ] && [ $rcb = 0 ] && echo pass || echo fail)" "$A: $la; $B: $lb"
    rm -f /srv/www/cmd/*

    # ================================================================================
    step "$P: xl reboot of the Ganeti-form guest, xl destroy of the other (the old release's records)"
    m=$(wc -l < "$HOOKS_LOG")
    d=$(reboot_back "$B" gnt.com.1 "$IPB"); rc=$?
    check "$P: xl reboot (Ganeti's form, no xen-ifup-os): its channel back, the guest leases and fetches" "$(pf $rc)" "$d"
    clean "$P: the reboot"
    xl_destroy "$A"; rc=$?
    i2=0
    while [ $i2 -lt 10 ] && { ip link show dev gnt.com.0 > /dev/null 2>&1 || records | grep -q gnt.com.0; }; do
        sleep 0.5; i2=$((i2 + 1))
    done
    left=$(ip -o link show dev gnt.com.0 2>/dev/null | cut -d' ' -f2; records | grep -o gnt.com.0)
    check "$P: xl destroy (ip= form): its channel goes" \
        "$( [ $rc = 0 ] && [ -z "$left" ] && echo pass || echo fail)" "exit $rc; left: ${left:-nothing}; records: $(records)"
    h=$(tail -n +"$((m + 1))" "$HOOKS_LOG" | tr '\n' ';')
    r=pass
    for want in "ifdown gnt.com.1 $IPB;" "ifup gnt.com.1 $IPB;" "ifdown gnt.com.0 $IPA;"; do
        case "$h" in *"$want"*) ;; *) r=fail ;; esac
    done
    check "$P: the admin's hooks ran (ifdown and ifup at the reboot, ifdown at the destroy)" $r "hook log: ${h:-nothing}"
    clean "$P: xl destroy"

    # ================================================================================
    if [ "$downgrade" = yes ]; then
        step "$P: $V back over the current .deb, $B running"
        cur=$(installed_version)
        dpkg -i "$E/old-$V.deb" > "$O/downgrade-$V.log" 2>&1; rc=$?
        v=$(installed_version)
        msg=$(grep -i 'gnt-com' "$O/downgrade-$V.log" | grep -v -e '^Preparing' -e '^Unpacking' -e '^Setting up' -e '^(Reading' | tail -n 2 | tr '\n' ' ')
        if [ $rc = 0 ] && [ "$v" = "$V" ]; then outcome=works
        elif [ $rc != 0 ] && [ "$v" = "$cur" ]; then outcome=refused
        else outcome="half-done (dpkg exit $rc, installed: ${v:-none})"
        fi
        fact "downgrade to $V" "$outcome"
        why=""
        out=$(gnt-com check 2>&1) || why="$why; check: $(echo "$out" | tr '\n' ' ' | cut -c1-200)"
        lb=$(renew "$B" "$IPB" "$V-downgrade-b") || why="$why; $B: $lb"
        [ -x /etc/ganeti/xen-ifup-os ] && grep -q gnt-com-ifup /etc/ganeti/xen-ifup-os || why="$why; xen-ifup-os is no shim"
        [ -f /usr/lib/udev/rules.d/60-gnt-com.rules ] || why="$why; no udev rule in /usr/lib/udev/rules.d"
        name="$P: downgrade to $V over the current package, $B running: works, or refused changing nothing"
        case $outcome in
            works) check "$name" "$( [ -z "$why" ] && echo pass || echo fail)" "works: $V installed${why:-; check clean, $B leases again, shim and udev rule in place}" ;;
            refused) check "$name" "$( [ -z "$why" ] && [ -n "$msg" ] && echo pass || echo fail)" \
                         "refused (${msg:-no message from gnt-com}); still $v${why:-, check clean, $B leases again}" ;;
            *) check "$name" fail "$outcome: $(tail -n 3 "$O/downgrade-$V.log" | tr '\n' ' ')" ;;
        esac
        rm -f /srv/www/cmd/*
        if [ "$outcome" = works ]; then
            dpkg -i "$E/gnt-com.deb" > "$O/upgrade2-$V.log" 2>&1; rc=$?
            v=$(installed_version)
            check "$P: upgrade again after the downgrade (dpkg -i)" \
                "$( [ $rc = 0 ] && [ "$v" = "$cur" ] && echo pass || echo fail)" "exit $rc, $V -> ${v:-none}: $(tail -n 2 "$O/upgrade2-$V.log" | tr '\n' ' ')"
            clean "$P: upgrading again"
        fi
    fi

    # ================================================================================
    step "$P: apt-get purge, $B running"
    purge_check "$P: enabled for Ganeti, $B running" "$V" gnt.com.1 "$IPB"
    xl destroy "$B" > /dev/null 2>&1
    rm -f "$HOOKS_LOG"
done 3< "$E/upgrades"
