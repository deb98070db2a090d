#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scale.sh: the store's throughput at 1, 2, 4, 8 and 16 nodes on loopback,
# each node in its own cgroup with the same CPU quota, so that adding
# nodes adds CPU even on a 2-core machine. The client (smpkit-kv bump:
# counter bumps over 1,000 keys, 32 in flight per node, least outstanding
# requests over the nodes) runs outside the quotas; one node without a
# quota, run first, shows what the client alone can drive. LMDB lives on
# /dev/shm: its synchronous commits would otherwise measure the disk.
# 256 shards (the most), so that 8 nodes get nearly equal shares.
# Prints one row per size: median throughput of the repeats, its spread
# (min..max), per node, and the ratio to linear (the 1-node median x N).
# --plot PNG draws the curve (gnuplot) against linear. --timeout: the
# client's retry timeout (300 ms): a node throttled by its quota can
# overflow its socket's receive buffer, and each lost request then holds
# its window slot that long (with 3 s, a handful decided the 8-node run). Not a test (a few
# minutes); SKIP when no cgroup CPU quota can be set.
#   bench/kv/scale.sh [--reps R] [--count C per node] [--quota PCT] [--n N]
#                     [--sizes "1 2 4 8 16"] [--owners] [--plot PNG]
#                     [--timeout MS]
# --owners: each bump goes first to its key's primary owner (a client that
# knows the ring); else to any node, which forwards it to the owners.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/bin/smpkit-kv
reps=3 count=1500 pct=5 n=3 sizes="1 2 4 8 16" route='' png='' to=300
while [ $# -gt 0 ]; do
	case "$1" in
	--reps) reps=$2; shift 2 ;;
	--count) count=$2; shift 2 ;;
	--quota) pct=$2; shift 2 ;;
	--n) n=$2; shift 2 ;;
	--sizes) sizes=$2; shift 2 ;;
	--owners) route="--owners"; shift ;;
	--plot) png=$2; shift 2 ;;
	--timeout) to=$2; shift 2 ;;
	-h|--help) sed -n '3,/^[^#]/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "scale.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done
[ -x "$bin" ] || { echo "scale.sh: build first (make userspace)" >&2; exit 1; }

# cgroup v2 (cpu.max) or v1 (cpu.cfs_quota_us): one group per node
period=20000	# cfs_quota_us must be at least 1000
quota=$((period * pct / 100))
cg=
if [ -f /sys/fs/cgroup/cgroup.controllers ] &&
	grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
	cg=/sys/fs/cgroup/smpkit-kv-scale.$$
	mkdir "$cg" 2>/dev/null && echo +cpu >"$cg/cgroup.subtree_control" 2>/dev/null || cg=
	kind=v2
elif [ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
	cg=/sys/fs/cgroup/cpu/smpkit-kv-scale.$$
	mkdir "$cg" 2>/dev/null || cg=
	kind=v1
fi
if [ -z "$cg" ]; then
	echo "SKIP: no cgroup CPU quota can be set here (need a writable cgroup v2 cpu.max or v1 cpu.cfs_quota_us)"
	exit 4
fi
tmp=$(mktemp -d /dev/shm/smpkit-kv-scale.XXXXXX)
pids=()
stop_nodes() {
	local p
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	pids=()
}
cleanup() {
	local d
	stop_nodes
	for d in "$cg"/n*; do [ -d "$d" ] && rmdir "$d"; done
	rmdir "$cg" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

limit() {	# limit PID I: node I's own group, quota PCT % of one CPU
	local g=$cg/n$2
	[ -d "$g" ] || mkdir "$g" || return 1
	if [ $kind = v2 ]; then
		echo "$quota $period" >"$g/cpu.max"
	else
		echo $period >"$g/cpu.cfs_period_us" && echo $quota >"$g/cpu.cfs_quota_us"
	fi && echo "$1" >"$g/cgroup.procs"
}

base=$((24000 + $$ % 20000))
run() {	# run M QUOTA(yes|no): one repeat, prints acknowledged a second
	local m=$1 i peers="" out
	for i in $(seq 0 $((m - 1))); do peers=$peers${peers:+,}127.0.0.1:$((base + i)); done
	rm -rf "$tmp"/n*
	for i in $(seq 0 $((m - 1))); do
		# no stdout: $(run) would wait for the nodes to close it
		"$bin" node --id $i --peers "$peers" --n "$n" --shards 256 --dir "$tmp/n$i" \
			--duration 120 >/dev/null 2>>"$tmp/log" &
		pids+=($!)
		if [ "$2" = yes ] && ! limit $! $i; then
			echo "scale.sh: cannot set the quota" >&2
			stop_nodes
			return 1
		fi
	done
	for i in $(seq 0 $((m - 1))); do
		for _ in $(seq 150); do
			"$bin" status --node 127.0.0.1:$((base + i)) --timeout 200 >/dev/null 2>&1 && break
			sleep 0.1
		done
	done
	# warm-up, then the measured run; 32 in flight per node of its 64 slots
	"$bin" bump --fronts "$peers" --count $((count * m / 10)) --window $((32 * m)) \
		--keys 1000 --timeout $to --no-idem --key w ${route:+--owners $n --shards 256} >/dev/null 2>&1
	out=$("$bin" bump --fronts "$peers" --count $((count * m)) --window $((32 * m)) \
		--keys 1000 --timeout $to --no-idem --key k ${route:+--owners $n --shards 256} 2>&1)
	stop_nodes
	echo "$out" | sed -n 's/^[0-9.]* s, \([0-9]*\) acknowledged a second$/\1/p'
}

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)], v[1], v[NR]}'; }

echo "# kv scaling: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(uname -r), $(systemd-detect-virt 2>/dev/null || echo unknown virt)"
echo "# cgroup $kind quota $pct % of a CPU per node (${quota}/${period} us), N=$n, ${route:+sent to the owner, }$reps repeats of $count bumps per node, retry after $to ms, load average $(cut -d' ' -f1 /proc/loadavg)"
printf '%-22s %10s %16s %10s %8s\n' "nodes" "ops/s" "spread" "per node" "linear"
one=
for m in free $sizes; do
	vals=
	for _ in $(seq "$reps"); do
		if [ $m = free ]; then v=$(run 1 no); else v=$(run "$m" yes); fi
		vals="$vals ${v:-0}"
	done
	read -r med lo hi < <(echo $vals | tr ' ' '\n' | median)
	if [ $m = free ]; then
		printf '%-22s %10s %16s %10s %8s\n' "1, no quota (client)" "$med" "$lo..$hi" "-" "-"
		continue
	fi
	[ -z "$one" ] && one=$med
	printf '%-22s %10s %16s %10s %8s\n' "$m" "$med" "$lo..$hi" "$((med / m))" \
		"$(awk -v a="$med" -v b="$one" -v m="$m" 'BEGIN { printf "%.2f", b ? a / (b * m) : 0 }')"
	echo "$m $med $lo $hi $((one * m))" >>"$tmp/curve"
done
if [ -n "$png" ] && command -v gnuplot >/dev/null; then
	gnuplot <<-EOF
	set terminal pngcairo size 760,420
	set output '$png'
	set grid
	set logscale x 2
	set xlabel 'nodes (each ${pct} % of a CPU)'
	set ylabel 'acknowledged bumps a second'
	set key top left
	set title 'smpkit-kv scaling, N=$n ($(nproc) CPUs, median and range of $reps)'
	plot '$tmp/curve' using 1:2:3:4 with yerrorlines title 'measured', \
	     '$tmp/curve' using 1:5 with lines dashtype 2 title 'linear (1 node x nodes)', \
	     '$tmp/curve' using 1:(\$5 * 0.8) with lines dashtype 3 title '0.8 x linear'
	EOF
	echo "# picture: $png"
fi
