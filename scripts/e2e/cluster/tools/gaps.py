#!/usr/bin/python3
"""The figures of one live migration, from what the nodes recorded (one clock: the machine's):

  gaps.py DIR IP SOURCE TARGET T0 T1 [QMP-FILE]

DIR holds probe-NODE.log (responder.py: "EPOCH PEER-IP", one line per probe that went
there and back) and syslog-NODE.log (syslog.py: "EPOCH MESSAGE"). IP is the guest's channel
address, T0 when the migration command started, T1 when the step ended. Prints one line of
key=value pairs, times in ms:
  downtime     qemu's own downtime, from the source's query-migrate (QMP-FILE's last line)
  gap          the guest's longest interval without a successful probe, from its last
               success before T0 to T1 (probes go every 100 ms: ~100 when nothing breaks)
  after_ifup   from the moment the target's gnt-com-ifup returned (its last syslog line
               naming IP, between T0 and T1) to the guest's first success on the target;
               0 when the guest reached the target before that
  ifup         that syslog line (what the target's ifup said last)
and, in ms from the moment the source's qemu said "completed" (QMP-FILE's last line, polled
every 50 ms; negative: before it), when the target's channel was first up (a GntCom line
"up ... ip=IP" on the target: gnt-com-ifup's, or what prepared it before), when the ifup
returned and when the guest's first probe got through there: chan_up, ifup_at, first_at.
A figure that cannot be computed is "none", with a reason in why=.
"""
import json
import re
import sys

d, ip, source, target, t0, t1 = sys.argv[1:7]
t0, t1 = float(t0), float(t1)
qmp = sys.argv[7] if len(sys.argv) > 7 else None


def probes(node):
    out = []
    try:
        with open("%s/probe-%s.log" % (d, node)) as f:
            for line in f:
                p = line.split()
                if len(p) == 2 and p[1] == ip:
                    out.append(float(p[0]))
    except FileNotFoundError:
        pass
    return out


res, why = {}, []
# qemu's own downtime
res["downtime"] = "none"
completed = None
if qmp:
    try:
        with open(qmp) as f:
            lines = [json.loads(x) for x in f if x.strip()]
        last = lines[-1] if lines else {}
        if last.get("status") == "completed" and last.get("downtime") is not None:
            res["downtime"] = str(last["downtime"])
            completed = float(last["t"])
        else:
            why.append("query-migrate ended %s" % last.get("status", "with nothing"))
    except (OSError, ValueError) as e:
        why.append("no query-migrate record: %s" % e)

# the guest's longest gap, both nodes' successes merged
src, tgt = probes(source), probes(target)
allp = sorted(src + tgt)
before = [t for t in allp if t <= t0]
inside = [t for t in allp if t0 < t <= t1]
res["probes"] = str(len(inside))
if not before:
    why.append("no probe succeeded before the migration")
    res["gap"] = "none"
else:
    seq = [before[-1]] + inside
    gaps = [b - a for a, b in zip(seq, seq[1:])]
    end_open = t1 - seq[-1]          # still waiting at T1 counts as a gap too
    res["gap"] = "%d" % round(max(gaps + [end_open]) * 1000)
    if not [t for t in tgt if t > t0]:
        why.append("the guest never reached the target")

# the gap after the target's ifup returned
ifup_end, ifup_msg, chan_up = None, None, None
pat = re.compile(r"gnt-com-ifup\[\d+\]: .*\bip=%s\b" % re.escape(ip))
up = re.compile(r"gnt-com[-a-z]*\[\d+\]: up \S+ .*\bip=%s\b" % re.escape(ip))
try:
    with open("%s/syslog-%s.log" % (d, target)) as f:
        for line in f:
            t, _, msg = line.rstrip("\n").partition(" ")
            try:
                t = float(t)
            except ValueError:
                continue
            if t0 < t <= t1 and pat.search(msg):
                ifup_end, ifup_msg = t, msg
            if t0 < t <= t1 and chan_up is None and up.search(msg):
                chan_up = t
except FileNotFoundError:
    pass
first_tgt = next((t for t in tgt if t > t0), None)
if ifup_end is None:
    res["after_ifup"] = "none"
    why.append("no gnt-com-ifup line naming %s on %s" % (ip, target))
elif first_tgt is None:
    res["after_ifup"] = "none"
else:
    res["after_ifup"] = "%d" % round(max(0.0, first_tgt - ifup_end) * 1000)
    res["ifup_to_t0"] = "%d" % round((ifup_end - t0) * 1000)
    res["first_to_t0"] = "%d" % round((first_tgt - t0) * 1000)
if completed is not None:
    for key, t in (("chan_up", chan_up), ("ifup_at", ifup_end), ("first_at", first_tgt)):
        res[key] = "none" if t is None else "%d" % round((t - completed) * 1000)
print(" ".join("%s=%s" % kv for kv in res.items())
      + (" ifup=%s" % json.dumps(re.sub(r"^<\d+>\S+ +\d+ \S+ ", "", ifup_msg)) if ifup_msg else "")
      + (" why=%s" % json.dumps("; ".join(why)) if why else ""))
