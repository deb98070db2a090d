#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# compare.sh: smpkit's memlat, bandwidth and c2c beside the peers Debian
# packages on the same machine (numactl, perf bench mem, sysbench memory,
# likwid-bench), one line each, same working set and thread count where
# the peer allows it. Not a test: a peer that is missing is reported and
# skipped (sysbench and likwid are 'apt-get install sysbench likwid').
#   bench/peers/compare.sh [--size SIZE]   (default 1G: past this host's LLC)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
smpkit=$top/build/bin/smpkit
size=1G
while [ $# -gt 0 ]; do
	case "$1" in
	--size) size=$2; shift 2 ;;
	-h|--help) sed -n '3,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "compare.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done
[ -x "$smpkit" ] || { echo "compare.sh: build first (make userspace)" >&2; exit 1; }
mb=$(numfmt --from=iec "$size")
mb=$((mb / 1048576))
have() { command -v "$1" >/dev/null 2>&1; }
row() { printf '%-34s %-12s %12s  %s\n' "$1" "$2" "$3" "$4"; }
jq_() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$smpkit" topo | sed -n '1,3p'
echo
row "measurement" "tool" "value" "notes"
row "----------" "----" "-----" "-----"

# --- topology: node count and distances
if have numactl; then
	row "NUMA nodes" "numactl" "$(numactl --hardware | sed -n 's/^available: \([0-9]*\) nodes.*/\1/p')" "numactl --hardware"
fi
"$smpkit" topo --json >"$tmp/topo.json"
row "NUMA nodes" "smpkit" "$(jq_ "$tmp/topo.json" 'j["machine"]["nodes"]')" "smpkit topo"

# --- latency: only smpkit chases pointers here; lmbench is not in Debian 12
"$smpkit" memlat --min "$size" --max "$size" --json >"$tmp/lat.json" 2>/dev/null
row "load latency, $size set" "smpkit" "$(jq_ "$tmp/lat.json" '"%.1f ns" % j["points"][-1]["ns"]')" "random single-cycle chase, 4 KiB pages (TLB misses included)"
"$smpkit" memlat --min "$size" --max "$size" --hugepages --json >"$tmp/lath.json" 2>/dev/null
row "load latency, $size set, THP" "smpkit" "$(jq_ "$tmp/lath.json" '"%.1f ns" % j["points"][-1]["ns"]')" "same with transparent huge pages"
row "load latency" "(no peer)" "-" "lmbench lat_mem_rd / Intel MLC are not packaged in Debian 12"

# --- bandwidth, one thread
"$smpkit" memlat --matrix --size "$size" --json >"$tmp/bw.json" 2>/dev/null
row "read bandwidth, 1 thread" "smpkit" "$(jq_ "$tmp/bw.json" '"%.2f GB/s" % j["bandwidth"][0]["read_gbs"]')" "sum of 64-bit words, 1 MiB steps over the set"
row "copy bandwidth, 1 thread" "smpkit" "$(jq_ "$tmp/bw.json" '"%.2f GB/s" % j["bandwidth"][0]["copy_gbs"]')" "memcpy, read+write bytes counted"
if have likwid-bench; then
	v=$(likwid-bench -t load -w S0:${mb}MB:1 2>/dev/null | sed -n 's/^MByte\/s:[[:space:]]*//p')
	row "read bandwidth, 1 thread" "likwid-bench" "$(awk -v v="$v" 'BEGIN{printf "%.2f GB/s", v/1000}')" "-t load (scalar loads)"
	v=$(likwid-bench -t load_avx512 -w S0:${mb}MB:1 2>/dev/null | sed -n 's/^MByte\/s:[[:space:]]*//p')
	[ -n "$v" ] && row "read bandwidth, 1 thread" "likwid-bench" "$(awk -v v="$v" 'BEGIN{printf "%.2f GB/s", v/1000}')" "-t load_avx512"
	v=$(likwid-bench -t copy -w S0:${mb}MB:1 2>/dev/null | sed -n 's/^MByte\/s:[[:space:]]*//p')
	row "copy bandwidth, 1 thread" "likwid-bench" "$(awk -v v="$v" 'BEGIN{printf "%.2f GB/s", v/1000}')" "-t copy (counts read+write)"
else
	row "bandwidth" "likwid-bench" "-" "not installed (apt-get install likwid)"
fi
if have perf; then
	v=$(perf bench mem memcpy -s "${mb}MB" -l 3 -f default 2>/dev/null | awk '/GB\/sec/ {print $1; exit}')
	row "copy bandwidth, 1 thread" "perf bench" "$(awk -v v="$v" 'BEGIN{printf "%.2f GB/s", 2*v*1.073741824}')" "mem memcpy, x2 for read+write, GiB->GB"
fi
if have sysbench; then
	v=$(sysbench memory --memory-block-size="${mb}M" --memory-total-size=$((mb * 8))M --memory-oper=read --threads=1 run 2>/dev/null | sed -n 's/.*(\([0-9.]*\) MiB\/sec).*/\1/p')
	row "read bandwidth, 1 thread" "sysbench" "$(awk -v v="$v" 'BEGIN{printf "%.2f GB/s", v*1.048576/1000}')" "memory --memory-oper=read, block = set"
else
	row "bandwidth" "sysbench" "-" "not installed (apt-get install sysbench)"
fi

# --- core-to-core
"$smpkit" c2c --json >"$tmp/c2c.json" 2>/dev/null
row "core-to-core round trip" "smpkit" "$(jq_ "$tmp/c2c.json" '"%.1f ns" % min(p["rt_ns"] for p in j["pairs"])')" "best pair, load/store ping-pong"
if have perf; then
	v=$(taskset -c 0,1 perf bench sched pipe -l 20000 2>/dev/null | awk '/usecs\/op/ {print $1}')
	row "pipe round trip (context)" "perf bench" "${v:-?} us" "sched pipe: syscalls + wakeups, not a cache-line transfer"
fi
echo
echo "Differences to expect: see Documentation/probes.rst, 'Peers'."
