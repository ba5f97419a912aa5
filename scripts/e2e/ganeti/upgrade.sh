# upgrade.sh: the upgrade scenario, sourced by node.sh in a fresh node (its own namespaces
# and overlay) instead of scenario.sh: GntCom OLD_VERSION (OLD_DEB) installed and enabled
# for Ganeti the way that release documents, a guest up with its channel, then the
# current .deb (DEB) installed over it while the guest runs. Then, with DOWNGRADE=yes,
# OLD_VERSION installed over the current one; last `apt-get purge` with the guest running.
# Every check's name starts with "from OLD_VERSION:". Each step appends CHECK/TIME lines
# to $RESULTS (lib.sh).
#
# What must hold after the upgrade (issue 19): every channel stays (`gnt-com check` clean,
# its record kept, the guest leases again, a udev removal still cleans it, the hooks still
# run), and the node stays enabled for Ganeti (the shims are this version's: `ganeti
# enable --dry-run` has nothing to do). A downgrade either works or is refused with a
# clear message and changes nothing; which one is reported, and that it holds is checked.
# A purge leaves nothing of GntCom and Ganeti's own files back.
# shellcheck shell=bash
P="from $OLD_VERSION"
cur=$(dpkg-deb -f "$DEB" Version)

init_cluster "$P: "
cp "$DEB" "$STATE/gnt-com.deb"
cp "$OLD_DEB" "$STATE/old.deb"
hide_udev_rules
start_udevd

# ================================================================= 1. the old release
if ! dpkg_in old-install dpkg -i /mnt/old.deb || [ "$(installed_version)" != "$OLD_VERSION" ]; then
  die "$P: install" "dpkg -i gnt-com $OLD_VERSION failed: $(tail -n 2 "$STATE/old-install.log" | tr '\n' ' ')"
fi
# enabled for Ganeti as that release says: 0.2 had the admin link its shims (README);
# from 0.3 on, `gnt-com ganeti enable`
if [ -f "$R/usr/share/gnt-com/ganeti/kvm-ifup-os" ]; then
  how="ln -s /usr/share/gnt-com/ganeti/{kvm,xen}-ifup-os /etc/ganeti/ (its README)"
  ln -sfn /usr/share/gnt-com/ganeti/kvm-ifup-os "$R/etc/ganeti/kvm-ifup-os"
  ln -sfn /usr/share/gnt-com/ganeti/xen-ifup-os "$R/etc/ganeti/xen-ifup-os"
else
  how="gnt-com ganeti enable"
  in_node timeout 120 gnt-com ganeti enable > "$STATE/old-enable.out" 2>&1 \
    || die "$P: enable" "gnt-com ganeti enable ($OLD_VERSION) failed: $(tail -n 2 "$STATE/old-enable.out" | tr '\n' ' ')"
fi
# hooks an admin added: each call appends a line to a log in the node
for d in ifup.d ifdown.d; do
  printf '#!/bin/sh\necho "%s $INTERFACE $IP" >> /var/log/e2e-hooks.log\n' "${d%.d}" > "$R/etc/gnt-com/$d/90-e2e"
  chmod 0755 "$R/etc/gnt-com/$d/90-e2e"
done
hooks_since() { tail -n +"$(( $1 + 1 ))" "$R/var/log/e2e-hooks.log" 2>/dev/null | tr '\n' ';'; }
hooks_mark() { wc -l < "$R/var/log/e2e-hooks.log" 2>/dev/null || echo 0; }

add_instance u 192.0.2.111 || die "$P: instance" "gnt-instance add u: $(last_err)"
echo "e2e: ganeti: $P: enabled for Ganeti by: $how" >&2
start_and_check u "$P: instance start" "$P: u with $OLD_VERSION: leases from GntCom's dnsmasq and reaches metad" gntcom \
  || die "$P: instance" "the guest does not work with GntCom $OLD_VERSION: nothing to upgrade"
ip_u=$(channel_ip u)
if_of() { ip -o route show "$1/32" | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n 1; }
if_u=$(if_of "$ip_u")
h=$(hooks_since 0)
if [[ "$h" == *"ifup $if_u $ip_u;"* ]]; then check "$P: the admin's ifup hook ran (with $OLD_VERSION)" pass "$h"
else check "$P: the admin's ifup hook ran (with $OLD_VERSION)" fail "hook log: ${h:-empty}; channel $if_u $ip_u"; fi

# ================================================================= 2. the upgrade, u running
t0=$(now)
dpkg_in upgrade dpkg -i /mnt/gnt-com.deb; rc=$?
timing "$P: dpkg -i of the current .deb (upgrade)" "$(elapsed "$t0")"
v=$(installed_version)
if [ $rc = 0 ] && [ "$v" = "$cur" ]; then
  check "$P: upgrade to the current .deb, u running (dpkg -i)" pass "$OLD_VERSION -> $v: $(grep -v -E '^\(Reading|^Preparing|^Unpacking|^Setting up|^Processing' "$STATE/upgrade.log" | tail -n 2 | tr '\n' ' ')"
else
  check "$P: upgrade to the current .deb, u running (dpkg -i)" fail "exit $rc, installed: ${v:-none}: $(tail -n 3 "$STATE/upgrade.log" | tr '\n' ' ')"
fi
check_clean "" "$P: gnt-com check clean right after the upgrade"
out=$(gnt_com ganeti enable --dry-run 2>&1); bad=$(shims_in_place)
if [ -z "$bad" ] && [[ "$out" == *"nothing to do: GntCom is enabled for Ganeti here"* ]]; then
  check "$P: still enabled for Ganeti (shims of this version: enable --dry-run has nothing to do)" pass "$out"
else
  check "$P: still enabled for Ganeti (shims of this version: enable --dry-run has nothing to do)" fail \
    "enable --dry-run: $(echo "$out" | tr '\n' ' ' | cut -c1-300)${bad:+; not shims:$bad}"
fi
st=$(gnt_com status 2>&1)
if echo "$st" | grep "$if_u" | grep -q "$ip_u"; then check "$P: u's channel kept (gnt-com status)" pass "$(echo "$st" | grep "$ip_u" | head -n 1 | tr -s ' ' | cut -c1-200)"
else check "$P: u's channel kept (gnt-com status)" fail "$if_u $ip_u not in: $(echo "$st" | tr '\n' ' ' | cut -c1-300)"; fi
renew_check u "$ip_u" "$P: after the upgrade, u leases again from GntCom's dnsmasq and reaches metad"
rule=$R/usr/lib/udev/rules.d/60-gnt-com.rules
if grep -qs 'RUN+="/usr/lib/gnt-com/gnt-com forget' "$rule"; then check "$P: the udev rule is in /usr/lib/udev/rules.d after the upgrade" pass "$(grep -o 'RUN+=.*' "$rule")"
else check "$P: the udev rule is in /usr/lib/udev/rules.d after the upgrade" fail "$(ls -l "$R"/usr/lib/udev/rules.d/ 2>&1 | tr '\n' ' ')"; fi

# u's reboot: the channel the old release recorded goes through the udev rule (forget),
# with the admin's ifdown hook; the new one comes up through this version's shim and hook
m=$(hooks_mark)
fresh_console u
t0=$(now)
if ganeti gnt-instance reboot --shutdown-timeout=30 u; then
  timing "$P: instance reboot after the upgrade" "$(elapsed "$t0")"
  check_clean "" "$P: gnt-com check clean after u's reboot (the old release's channel removed through udev)"
  wait_and_check u "$P: after its reboot, u leases and reaches metad" gntcom
else check "$P: after its reboot, u leases and reaches metad" fail "gnt-instance reboot u: $(last_err)"; fi
new_if=$(if_of "$ip_u")
h=$(hooks_since "$m")
if [[ "$h" == *"ifdown $if_u $ip_u;"* ]] && [[ "$h" == *"ifup $new_if $ip_u;"* ]]; then
  check "$P: the admin's hooks ran at u's reboot (ifdown of the old channel, ifup of the new)" pass "$h"
else
  check "$P: the admin's hooks ran at u's reboot (ifdown of the old channel, ifup of the new)" fail "hook log: ${h:-nothing}; channel was $if_u, now ${new_if:-none}"
fi
if_u=$new_if

# ================================================================= 3. the downgrade, u running
if [ "${DOWNGRADE:-}" = yes ]; then
  name="$P: downgrade to $OLD_VERSION over the current package, u running: works, or refused changing nothing"
  dpkg_in downgrade dpkg -i /mnt/old.deb; rc=$?
  v=$(installed_version)
  msg=$(grep -i 'gnt-com' "$STATE/downgrade.log" | grep -v -e '^Preparing' -e '^Unpacking' -e '^Setting up' -e '^(Reading' | tail -n 2 | tr '\n' ' ')
  if [ $rc = 0 ] && [ "$v" = "$OLD_VERSION" ]; then
    outcome=works
  elif [ $rc != 0 ] && [ "$v" = "$cur" ]; then
    outcome=refused
  else
    outcome="half-done (dpkg exit $rc, installed: ${v:-none})"
  fi
  fact "downgrade to $OLD_VERSION" "$outcome"
  # then what it promises: GntCom as it was (refused) or the old release working (works)
  okay=yes why=""
  out=$(poll 5 gnt_com check > /dev/null 2>&1 || gnt_com check 2>&1); [ -z "$out" ] || { okay=no; why="$why; check: $(echo "$out" | tr '\n' ' ' | cut -c1-200)"; }
  r=$(guest_get "$ip_u" cgi-bin/renew)
  [[ "$r" == *"lease $ip_u/"*" router=none; metad ok name=u" ]] || { okay=no; why="$why; renew: $r"; }
  bad=$(shims_in_place); [ -z "$bad" ] || { okay=no; why="$why; not shims:$bad"; }
  [ -f "$rule" ] || { okay=no; why="$why; no udev rule in /usr/lib/udev/rules.d"; }
  case $outcome in
    works) [ "$okay" = yes ] && check "$name" pass "works: dpkg installed $v; check clean, u leases again, shims in place" \
             || check "$name" fail "dpkg installed $v but$why";;
    refused) if [ "$okay" = yes ] && [ -n "$msg" ]; then check "$name" pass "refused ($msg); still $v, check clean, u leases again"
             else check "$name" fail "refused (${msg:-no message from gnt-com})$why"; fi;;
    *) check "$name" fail "$outcome: $(tail -n 3 "$STATE/downgrade.log" | tr '\n' ' ')";;
  esac
  if [ "$outcome" = works ]; then
    # the old release runs the node: u's reboot under it, then the upgrade again
    fresh_console u
    if ganeti gnt-instance reboot --shutdown-timeout=30 u; then
      check_clean "" "$P: after the downgrade, gnt-com check clean after u's reboot"
      wait_and_check u "$P: after the downgrade, u's reboot: leases and reaches metad" gntcom
    else check "$P: after the downgrade, u's reboot: leases and reaches metad" fail "gnt-instance reboot u: $(last_err)"; fi
    if_u=$(if_of "$ip_u")
    dpkg_in upgrade2 dpkg -i /mnt/gnt-com.deb; rc=$?
    v=$(installed_version)
    if [ $rc = 0 ] && [ "$v" = "$cur" ]; then check "$P: upgrade again after the downgrade (dpkg -i)" pass "$OLD_VERSION -> $v"
    else check "$P: upgrade again after the downgrade (dpkg -i)" fail "exit $rc, installed ${v:-none}: $(tail -n 3 "$STATE/upgrade2.log" | tr '\n' ' ')"; fi
    check_clean "" "$P: gnt-com check clean after upgrading again"
    renew_check u "$ip_u" "$P: after upgrading again, u leases again from GntCom's dnsmasq and reaches metad"
  fi
fi

# ================================================================= 4. the purge, enabled, u running
# the prerm: `ganeti disable --quiet` (Ganeti's files back, u's channel handed to
# Ganeti's scripts), `down --all` (nothing of GntCom's in the kernel or /run); then dpkg
if dpkg_in purge apt-get purge -y gnt-com; then
  check "$P: apt-get purge gnt-com (enabled for Ganeti, u running)" pass "$(grep -E '^(Purging|Removing)' "$STATE/purge.log" | tr '\n' ' ')"
else
  check "$P: apt-get purge gnt-com (enabled for Ganeti, u running)" fail "$(tail -n 3 "$STATE/purge.log" | tr '\n' ' ')"
fi
left=$(nothing_left)
if [ -z "$left" ]; then check "$P: purge: nothing of GntCom left (package, config, udev rule, state, Ganeti hooks and vif script, dnsmasq, policy rules)" pass "none"
else check "$P: purge: nothing of GntCom left (package, config, udev rule, state, Ganeti hooks and vif script, dnsmasq, policy rules)" fail "left: $left"; fi
bad=$(ganeti_files_changed)
if [ -z "$bad" ]; then check "$P: purge: kvm-ifup-os and xen-ifup-os are Ganeti's again" pass "md5sums match dpkg's conffiles"
else check "$P: purge: kvm-ifup-os and xen-ifup-os are Ganeti's again" fail "not dpkg's:$bad"; fi

# shellcheck disable=SC2154  # (failed: set in lib.sh)
exit "$failed"
