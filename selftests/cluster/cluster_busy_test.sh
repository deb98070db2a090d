#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cluster_busy_test (VM rig, busybox sh): can a CPU hog make a node "too
# busy to run its cluster software" when both share one CPU under wsched?
# Three nodes on the guest's loopback (beats every 150 ms, a 900 ms
# timeout: an emulated CPU that the host does not run for a while must
# not pass for a dead node); n2 runs under wsched-run in a group of one
# CPU with a 1 s slice (longer than the timeout), first alone, then with
# a CPU hog forked into the same group.
# Were the hog to hold the CPU for its slice, n2's beats and disk slot
# would stop together and the others would declare it dead. wsched
# queues a woken sleeper ahead of a hog and preempts it (gate.c,
# wake_enqueue()), so the hog, which gets the CPU whenever n2 sleeps, must
# be preempted and n2 must not be declared dead. Counted from the nodes'
# logs two seconds after n2 started, not timed.
bin=/smpkit/bin
. "$(dirname "$0")/../lib/ktap.sh"
if [ "$(id -u)" != 0 ] || [ ! -f /smpkit/wsched.ko ]; then
	ktap_skip_all "needs root and /smpkit/wsched.ko (runs in the VM rig)"
fi
[ -e /dev/wsched ] || insmod /smpkit/wsched.ko || exit 1
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
tmp=$(mktemp -d)
trap 'kill -KILL $(cat "$tmp"/*.pid 2>/dev/null) 2>/dev/null; rm -rf "$tmp"' EXIT
ktap_plan 3

peers=127.0.0.1:7401,127.0.0.1:7402,127.0.0.1:7403
timing="--hb 150 --timeout 900"
rt=
chrt -r 5 true 2>/dev/null && rt="chrt -r 5"
# phase NAME SLICE-US HOG: 8 s of three nodes, n2 under wsched-run
phase() {
	d=$tmp/$1
	mkdir "$d"
	$rt "$bin/smpkit-cluster" node --id 0 --peers $peers --disk "$d/disk" \
		--format-disk --duration 8 $timing >"$d/n0.log" 2>&1 &
	echo $! >"$tmp/n0.pid"
	sleep 0.3
	$rt "$bin/smpkit-cluster" node --id 1 --peers $peers --disk "$d/disk" \
		--duration 8 $timing >"$d/n1.log" 2>&1 &
	echo $! >"$tmp/n1.pid"
	sleep 1
	# the hog is a child of the group's first task, so a member too
	"$bin/wsched-run" --cpus 1 --slice "$2" --watchdog 60000 --stats -- sh -c '
		[ "$1" = 1 ] && { while :; do :; done & echo $! >"$2/hog.pid"; }
		exec "$4" node --id 2 --peers "$5" --disk "$3/disk" --duration 6 $6
	' sh "$3" "$tmp" "$d" "$bin/smpkit-cluster" $peers "$timing" >"$d/n2.log" 2>&1
	kill -KILL "$(cat "$tmp/hog.pid" 2>/dev/null)" 2>/dev/null
	rm -f "$tmp/hog.pid"
	wait
	# From two seconds after n2 started: before, it was not there yet, or
	# had not yet run behind the hog (a new member's first turns go by
	# run time, which the hog has not yet outrun: it can wait a slice).
	t0=$(awk '/ starts: / {print $1 + 2; exit}' "$d/n2.log")
	dead=$(cat "$d/n0.log" "$d/n1.log" | awk -v t="${t0:-0}" '$1 > t && / dead n2$/' | wc -l)
	susp=$(cat "$d/n0.log" "$d/n1.log" | awk -v t="${t0:-0}" '$1 > t && / suspect n2$/' | wc -l)
	res=$(awk -v t="${t0:-0}" '$1 > t && / resumed n2$/' "$d/n2.log" | wc -l)
	cat "$d/n0.log" "$d/n1.log" | awk -v t="${t0:-0}" '$1 > t && / (dead|suspect) n2$/' |
		sed "s/^/# $1: /"
	# wsched-run --stats: "cpu dispatch preempt ..." and the hog's row
	# "tid cpu state dispatch preempt blocks migr run_ms ..."
	pre=$(awk '$1 == 1 && $10 ~ /^sib=/ {print $3}' "$d/n2.log")
	hog_ms=$(awk '$3 == "running" {print $8}' "$d/n2.log")
}

phase alone 1000000 0
sed -n 's/^/# alone: /p' "$tmp/alone/n2.log" | grep -v 'serves\|own p' | tail -n 5
[ -n "$t0" ] && [ "$dead" = 0 ] && grep -q ' master ' "$tmp/alone/n0.log" "$tmp/alone/n1.log"
ok $? "n2 alone in its one-CPU group: a master, and no death of n2 ($dead dead, $susp suspect, $res resumed)"
a_res=$res a_dead=$dead

phase hog 1000000 1
sed -n 's/^/# hog: /p' "$tmp/hog/n2.log" | grep -v 'serves\|own p' | tail -n 8
[ -n "$t0" ] && [ "${hog_ms:-0}" -ge 3000 ] && [ "${pre:-0}" -gt 0 ]
ok $? "the hog shared n2's CPU: it ran ${hog_ms:-?} ms of n2's 6 s and was preempted ${pre:-?} times"
# Were the hog to keep the CPU for its slice each time n2 sleeps, n2 would
# stall for a slice about once a second and be declared dead each time.
# At the start the two are level in run time and n2 waits once, for at
# most a quarter slice (cap_turn() in module/gate.c; a whole slice, and a
# death, without it): one "resumed" more than alone, no death.
[ "$dead" = 0 ] && [ "$res" -le $((a_res + 1)) ]
ok $? "with the hog, n2 is not too busy: $dead dead, $susp suspect, $res resumed (alone: $a_dead, $a_res)"
exit $fail
