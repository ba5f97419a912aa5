#!/bin/sh
# The hostile-input and fault campaign of issue 10 against the built out/ executables:
# hostile argv/env/xenstore/config cases over the four executables, SIGKILLs at random
# points of ifup/ifdown each followed by a healing call, and many concurrent workers
# going up and down. Each part checks the namespace against the records independently
# of `gnt-com check` and fails on anything lost or half-configured. Figures go to
# campaign-results/*.md. Needs root and the test packages (make deps).
# usage: scripts/campaign.sh [hostile|kill|concurrency]...   (default: all three)
# Knobs: GNT_COM_CAMPAIGN_SEED, GNT_COM_KILL_RUNS (200), GNT_COM_WORKERS (64), GNT_COM_ROUNDS (20).
set -eu
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "campaign: run as root (network namespaces)" >&2; exit 1; }
[ -x out/gnt-com-ifup ] || { echo "campaign: out/ is not built: run make" >&2; exit 1; }
filter=
[ $# -gt 0 ] || set -- hostile kill concurrency
for p in "$@"; do
    case $p in
        hostile) c=HostileInputCampaign ;;
        kill) c=KillCampaign ;;
        concurrency) c=ConcurrencyCampaign ;;
        *) echo "campaign: unknown part '$p' (hostile, kill, concurrency)" >&2; exit 2 ;;
    esac
    filter="${filter:+$filter|}FullyQualifiedName~GntCom.Tests.Campaign.$c"
done
GNT_COM_CAMPAIGN=1 exec scripts/run-tests.sh Release --filter "$filter"
