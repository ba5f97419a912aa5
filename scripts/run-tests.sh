#!/bin/sh
# Runs the xunit suite, names the failed tests again at the end ("FAILED: ..." lines, where a
# CI log's tail shows them) and ends with one plain summary line: "N passed, N failed, N skipped".
# usage: scripts/run-tests.sh CONFIG [dotnet test options...]
set -u
config=${1:-Release}
shift || true
log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test tests/GntCom.Tests/GntCom.Tests.csproj -c "$config" --nologo \
    --logger "console;verbosity=normal" "$@" > "$log" 2>&1
status=$?
cat "$log"
count() { sed -n -E "s/^ *$1: *([0-9]+) *\$/\\1/p" "$log" | tail -1; }
total=$(count 'Total tests')
if [ -z "$total" ]; then
    echo "0 passed, 1 failed, 0 skipped (the test run did not complete)"
    exit 1
fi
passed=$(count Passed); failed=$(count Failed); skipped=$(count Skipped)
# the failures again, last, where a CI log's tail shows them
awk '/^ *Failed [A-Za-z]/ { sub(/^ */, "FAILED: "); print; n = 6; next }
     /^ *Stack Trace:/ { n = 0 }
     n > 0 && !/^ *Error Message:/ { print "  " $0; n-- }' "$log"
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
[ "${failed:-0}" -eq 0 ] && [ "$status" -eq 0 ]
