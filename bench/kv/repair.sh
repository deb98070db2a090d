#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# repair.sh: what read repair costs, on three real nodes on 127.0.0.1
# (N=3, anti-entropy off: --ae-ms 0, so that only reads repair). Each
# pass reads every one of --keys keys once with R=3 at --rate requests a
# second ("load --verify", each request timed from its intended start;
# the verify pass then reads as many counter keys, never written here):
#   level      after writing the keys (5 writes a key, uniform) with all
#              three nodes up
#   divergent  after writing them again while node 2 was down: it
#              restarts with the old copies, so each read finds one stale
#              replica and repairs it
#   repaired   the same reads once more: the first pass left nothing
# The read repairs come from the nodes' status counters, summed. Not a
# test: --reps runs (3), the median and the range of each column.
#   bench/kv/repair.sh [--reps R] [--keys K] [--rate R]
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/bin/smpkit-kv
reps=3 keys=1000 rate=1000
while [ $# -gt 0 ]; do
	case "$1" in
	--reps) reps=$2; shift 2 ;;
	--keys) keys=$2; shift 2 ;;
	--rate) rate=$2; shift 2 ;;
	-h|--help) sed -n '3,/^[^#]/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "repair.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done
for v in "$reps" "$keys" "$rate"; do
	case $v in ''|*[!0-9]*|0) echo "repair.sh: --reps, --keys and --rate take positive numbers" >&2; exit 2 ;; esac
done
[ -x "$bin" ] || { echo "repair.sh: build first (make userspace)" >&2; exit 1; }
tmp=$(mktemp -d)
pids=(0 0 0)
stop() {
	[ "${pids[$1]}" != 0 ] && kill -KILL "${pids[$1]}" 2>/dev/null
	wait "${pids[$1]}" 2>/dev/null
	pids[$1]=0
}
trap 'for i in 0 1 2; do stop $i; done; rm -rf "$tmp"' EXIT
base=$((43000 + $$ % 10000))
at() { echo "127.0.0.1:$((base + $1))"; }
peers=$(at 0),$(at 1),$(at 2)
start() {
	mkdir -p "$tmp/r$rep"
	"$bin" node --id "$1" --peers "$peers" --dir "$tmp/r$rep/n$1" \
		--ae-ms 0 --duration 900 2>>"$tmp/log" &
	pids[$1]=$!
	for _ in $(seq 100); do
		"$bin" status --node "$(at "$1")" --timeout 200 >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "repair.sh: node $1 did not start" >&2
	exit 1
}
repairs() {
	local i s=0 r
	for i in 0 1 2; do
		r=$("$bin" status --node "$(at $i)" | sed -n 's/^read repairs \([0-9]*\),.*/\1/p')
		s=$((s + ${r:-0}))
	done
	echo $s
}
write() {
	"$bin" load --nodes "$(at 0)" --rate "$rate" --duration $(((keys * 5 + rate - 1) / rate)) \
		--reads 0 --keys "$keys" --dist uniform --w 2 >/dev/null 2>&1
}
# pass NAME: one verify pass; prints "NAME p50 p99 repairs"
pass() {
	local r0 out
	r0=$(repairs)
	out=$("$bin" load --nodes "$(at 0)" --verify --keys "$keys" --rate "$rate" --r 3 2>&1 |
		awk '/^latency/ { print $7, $11 }')
	sleep 0.3	# the repairs go out after each read's answer
	echo "$1 $out $(($(repairs) - r0))"
}

echo "# kv read repair: $(nproc) CPUs, $(uname -r), $(systemd-detect-virt 2>/dev/null || echo unknown virt), load average $(cut -d' ' -f1 /proc/loadavg), $(date -u '+%F %H:%M UTC')"
echo "# 3 nodes, N=3, anti-entropy off; $keys keys written (W=2), each read once with R=3 at $rate/s; median (range) of $reps runs"
for rep in $(seq "$reps"); do
	for i in 0 1 2; do start $i; done
	write
	pass level >>"$tmp/runs"
	stop 2
	write
	start 2
	pass divergent >>"$tmp/runs"
	pass repaired >>"$tmp/runs"
	for i in 0 1 2; do stop $i; done
done
awk -v keys="$keys" '
	{ n[$1]++; p50[$1, n[$1]] = $2; p99[$1, n[$1]] = $3; rr[$1, n[$1]] = $4 }
	function col(a, name,   i, j, t, v, k) {
		k = n[name]
		for (i = 1; i <= k; i++) v[i] = a[name, i]
		for (i = 1; i <= k; i++)
			for (j = i + 1; j <= k; j++)
				if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		return sprintf("%s (%s-%s)", v[int((k + 1) / 2)], v[1], v[k])
	}
	END {
		printf "%-10s  %-22s  %-22s  %s\n", "pass", "p50 us", "p99 us", "read repairs"
		split("level divergent repaired", order, " ")
		for (i = 1; i <= 3; i++)
			printf "%-10s  %-22s  %-22s  %s of %s reads\n", order[i],
			       col(p50, order[i]), col(p99, order[i]),
			       col(rr, order[i]), keys
	}' "$tmp/runs"
