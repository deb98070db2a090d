#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# modes.sh: quorum mode (R=W=2) against eventual mode (R=W=1) on the same
# three nodes (N=3, 127.0.0.1, LMDB on /dev/shm) in the same run, with 0,
# 1 and 2 of the replicas made slow. On a quiet loopback every replica
# answers alike and the two modes measure alike; R=W=1 gains when the
# replicas differ, because its request ends with the fastest reply while
# a quorum request waits for the second. A slow replica here is a node
# paused by SIGSTOP for --pause ms (30) of every --cycle ms (40), the slow
# nodes together, and resumed by SIGCONT between: a stated, repeatable
# slowness (a GC pause, a busy neighbour) that does not pile up work, as
# a CPU quota below the node's needs would. Node 0 is never paused and
# coordinates every request; nodes 2, then 1 and 2, are the slow ones.
# The client is "smpkit-kv load", open loop at --rate (300/s) for
# --seconds (4) with half reads over 1,000 keys: few requests in flight,
# so the latency is the replicas', not a queue's; each run is timed from
# the requests' intended starts. Each row: median and range over --reps
# (3) runs of p50 and p99 in microseconds; the modes alternate which runs
# first. Then eventual/quorum per slow count, and what eventual mode
# costs: the same modes with requests spread over all three nodes (one
# slow) on 10 hot keys, their histories judged by "smpkit-kv check
# --quorum": reads that missed an acknowledged put, and reads that found
# siblings. --spread: the latency runs too send round robin to all three
# nodes, so that a slow node coordinates a third of them. Not a test
# (about two minutes).
#   bench/kv/modes.sh [--reps R] [--seconds S] [--rate R]
#                     [--pause MS] [--cycle MS] [--spread]
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/bin/smpkit-kv
reps=3 secs=4 rate=300 pause=30 cycle=40 spread=
while [ $# -gt 0 ]; do
	case "$1" in
	--reps) reps=$2; shift 2 ;;
	--seconds) secs=$2; shift 2 ;;
	--rate) rate=$2; shift 2 ;;
	--pause) pause=$2; shift 2 ;;
	--cycle) cycle=$2; shift 2 ;;
	--spread) spread=1; shift ;;
	-h|--help) sed -n '3,/^[^#]/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "modes.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done
for v in "$reps" "$secs" "$rate" "$pause" "$cycle"; do
	case "$v" in ''|0|*[!0-9]*) echo "modes.sh: positive numbers only" >&2; exit 2 ;; esac
done
[ "$pause" -lt "$cycle" ] || { echo "modes.sh: --pause must be below --cycle" >&2; exit 2; }
[ -x "$bin" ] || { echo "modes.sh: build first (make userspace)" >&2; exit 1; }
tmp=$(mktemp -d /dev/shm/smpkit-kv-modes.XXXXXX)
pids=() duty=
calm() {	# stop the pauses and resume every node
	[ -n "$duty" ] && kill "$duty" 2>/dev/null && wait "$duty" 2>/dev/null
	duty=
	[ ${#pids[@]} -gt 0 ] && kill -CONT "${pids[@]}" 2>/dev/null
}
cleanup() {
	local p
	calm
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkfifo "$tmp/tick"
base=$((42000 + $$ % 10000))

# slow K: nodes 3-K..2 paused and resumed together, by a loop of builtins
# (read -t on a FIFO nobody writes: a sleep without a fork)
slow() {
	local i targets=()
	calm
	[ "$1" = 0 ] && return
	for i in $(seq $((3 - $1)) 2); do targets+=("${pids[$i]}"); done
	(
		exec 9<>"$tmp/tick"
		p=$(awk -v m="$pause" 'BEGIN { printf "%.3f", m / 1000 }')
		r=$(awk -v m="$((cycle - pause))" 'BEGIN { printf "%.3f", m / 1000 }')
		while kill -STOP "${targets[@]}"; do
			read -r -t "$p" <&9
			kill -CONT "${targets[@]}"
			read -r -t "$r" <&9
		done
	) &
	duty=$!
}

# measure R W NODES KEYS [HISTORY]: one run, prints "p50 p99 ok timeouts"
measure() {
	"$bin" load --nodes "$3" --rate "$rate" --duration "$secs" --reads 50 \
		--keys "$4" --dist uniform --r "$1" --w "$2" ${5:+--history "$5"} 2>&1 |
		awk '/^offered/ { ok = $12; to = $16 } /^latency/ { print $7, $11, ok + 0, to + 0 }'
}

peers=
for i in 0 1 2; do peers=$peers${peers:+,}127.0.0.1:$((base + i)); done
for i in 0 1 2; do
	"$bin" node --id $i --peers "$peers" --dir "$tmp/n$i" --duration 900 \
		>/dev/null 2>>"$tmp/log" &
	pids+=($!)
done
for i in 0 1 2; do
	up=
	for _ in $(seq 100); do
		"$bin" status --node "127.0.0.1:$((base + i))" --timeout 200 >/dev/null 2>&1 &&
			up=1 && break
		sleep 0.1
	done
	[ -n "$up" ] || { echo "modes.sh: node $i did not start:" >&2; cat "$tmp/log" >&2; exit 1; }
done
one=127.0.0.1:$base
[ -n "$spread" ] && one=$peers
# written once, so that the reads find values
"$bin" load --nodes "$one" --rate 1000 --duration 1 --reads 0 --keys 1000 --dist uniform >/dev/null 2>&1

echo "# kv modes: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(uname -r), $(systemd-detect-virt 2>/dev/null || echo unknown virt), load average $(cut -d' ' -f1 /proc/loadavg), $(date -u '+%F %H:%M UTC')"
if [ -n "$spread" ]; then
	echo "# 3 nodes, N=3; requests round robin over all three, slow ones included; a slow node is paused $pause ms of every $cycle ms"
else
	echo "# 3 nodes, N=3; node 0 coordinates every request and is never slow; a slow node is paused $pause ms of every $cycle ms"
fi
echo "# open loop $rate/s for $secs s, 50 % reads, 1,000 keys; median (range) of $reps runs"
for rep in $(seq "$reps"); do
	for k in 0 1 2; do
		slow $k
		sleep 0.3	# the first pause begins
		order="2 1"
		[ $((rep % 2)) = 0 ] && order="1 2"
		for q in $order; do
			echo "$k $q $(measure "$q" "$q" "$one" 1000)" >>"$tmp/runs"
		done
	done
	calm
done

# stats FIELD K Q: "median lo hi" of a field over the runs of (K, Q)
stats() {
	awk -v f="$1" -v k="$2" -v q="$3" '$1 == k && $2 == q { print $f }' "$tmp/runs" |
		sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)], v[1], v[NR]; else print 0, 0, 0 }'
}
printf '%-5s %-16s %8s %14s %8s %16s %6s %9s\n' slow mode "p50 us" range "p99 us" range ok timeouts
for k in 0 1 2; do
	for q in 2 1; do
		read -r a alo ahi < <(stats 3 $k $q)
		read -r b blo bhi < <(stats 4 $k $q)
		read -r ok _ < <(stats 5 $k $q)
		to=$(awk -v k=$k -v q=$q '$1 == k && $2 == q { t += $6 } END { print t + 0 }' "$tmp/runs")
		name="quorum R=W=2"
		[ $q = 1 ] && name="eventual R=W=1"
		printf '%-5s %-16s %8s %14s %8s %16s %6s %9s\n' $k "$name" "$a" "$alo..$ahi" \
			"$b" "$blo..$bhi" "$ok" "$to"
	done
done
echo
echo "# eventual / quorum, medians (below 1: eventual mode is faster)"
for k in 0 1 2; do
	awk -v k=$k -v a="$(stats 3 $k 1)" -v b="$(stats 3 $k 2)" \
		-v c="$(stats 4 $k 1)" -v d="$(stats 4 $k 2)" 'BEGIN {
		split(a, e1); split(b, q1); split(c, e2); split(d, q2)
		printf "%d slow: p50 %.2fx  p99 %.2fx\n", k,
			q1[1] ? e1[1] / q1[1] : 0, q2[1] ? e2[1] / q2[1] : 0 }'
done

# the cost: any node coordinates (round robin), node 2 slow, 10 hot keys
echo
echo "# what eventual mode costs: requests over all three nodes, node 2 slow, 10 keys, $reps runs;"
echo "# every read judged by the quorum rule (smpkit-kv check --quorum)"
printf '%-16s %8s %22s %22s\n' mode reads "missed an acked put" "found siblings"
all=$peers
for q in 2 1; do
	rm -f "$tmp/h"
	for _ in $(seq "$reps"); do
		slow 1
		sleep 0.3
		measure $q $q "$all" 10 "$tmp/h" >/dev/null
		calm
	done
	read -r stale judged < <("$bin" check --quorum "$tmp/h" |
		sed -n 's/^check: \([0-9]*\) of \([0-9]*\) reads judged missed.*/\1 \2/p')
	sib=$(grep -c '^get .* ok dots=[^ ]*,' "$tmp/h")
	name="quorum R=W=2"
	[ $q = 1 ] && name="eventual R=W=1"
	awk -v n="$name" -v j="${judged:-0}" -v s="${stale:-0}" -v b="$sib" 'BEGIN {
		printf "%-16s %8d %14d (%5.1f %%) %14d (%5.1f %%)\n", n, j, s,
			j ? 100 * s / j : 0, b, j ? 100 * b / j : 0 }'
done
