#!/bin/sh
# make bench: times a guest's channel up and down (gnt-com-ifup + gnt-com-ifdown) against
# the floor, an empty NativeAOT program started twice, with hyperfine, inside a throwaway
# network namespace. Needs root, hyperfine and the .NET SDK. Results: bench-results/*.md.
# (Xen's vif-route and a bash reference are not compared yet.)
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
[ "$(id -u)" = 0 ] || { echo "bench: run as root (network namespaces)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing: run 'make deps' as root" >&2; exit 1; }
runs=${BENCH_RUNS:-300}
work=$(mktemp -d /tmp/gnt-com-bench.XXXXXX)
chmod 755 "$work"
ns=gcbench$$
cleanup() {
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$work" "/run/gnt-com-bench-$$"
}
trap cleanup EXIT INT TERM
mkdir -p bench-results

# The floor: an empty NativeAOT program, built with the SDK's defaults.
mkdir -p "$work/empty"
cat > "$work/empty/empty.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <PublishAot>true</PublishAot>
    <InvariantGlobalization>true</InvariantGlobalization>
  </PropertyGroup>
</Project>
XML
echo 'return 0;' > "$work/empty/Program.cs"
dotnet publish "$work/empty/empty.csproj" -c Release -r linux-x64 -o "$work/empty/out" --nologo -v quiet >/dev/null
empty="$work/empty/out/empty"

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" tuntap add dev gnt.com.0 mode tap
printf 'state_dir = /run/gnt-com-bench-%s\nhooks_dir = %s/hooks\nsyslog_socket = off\ndhcp = off\n' "$$" "$work" > "$work/gnt-com.conf"

run() { ip netns exec "$ns" env GNT_COM_CONF="$work/gnt-com.conf" "$@"; }

out=bench-results/$(date -u +%Y%m%dT%H%M%SZ).md
{
echo "# GntCom benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Machine: $(nproc) cores, $(uname -r); $runs runs each (hyperfine -N, 20 warm-up)."
echo
echo "## KVM: one guest's channel up and down (gnt-com-ifup + gnt-com-ifdown, DHCP off)"
echo
} > "$out"

run hyperfine -N --warmup 20 -r "$runs" --export-markdown "$work/kvm.md" \
    -n "empty AOT program, twice" "sh -c '$empty; $empty'" \
    -n "gnt-com-ifup + gnt-com-ifdown" "sh -c 'IP=169.254.1.2 MAC=52:54:00:12:34:56 $root/out/gnt-com-ifup gnt.com.0 2>/dev/null; $root/out/gnt-com-ifdown gnt.com.0 2>/dev/null'"
cat "$work/kvm.md" >> "$out"

echo >> "$out"
echo "Full results and the commands: $out"
cat "$out"
