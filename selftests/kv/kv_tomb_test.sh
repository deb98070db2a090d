#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kv_tomb_test: tombstones are collected on the daemons, safely. Three
# nodes (N=3, so each holds every key) with a 200 ms grace period: 12
# keys written to all three, then, with n2 stopped (SIGSTOP), deleted
# through n0 with W=2. While n2 cannot answer, n0 and n1 keep all 8
# tombstones: a collection needs every owner to hold the tombstone and
# every peer to purge. Once n2 runs again (holding the old values) the
# tombstones reach it and are collected everywhere; no deleted key reads
# back, with R=3 or from n2 alone, and the 4 keys never deleted still do.
# After SIGKILL of all three and a restart, LMDB holds no tombstone and
# only those 4 records: the collection removed the records on disk.
. "$(dirname "$0")/kvlib.sh" || exit 1
kv_begin 3 6 7919
start() { start_node "$1" --grace-ms 200; }

# field NAME ID: the number after NAME in node ID's status
field() {
	"$bin" status --node "$(at "$2")" 2>/dev/null |
		sed -n "s/.*\\b$1 \\([0-9]*\\).*/\\1/p" | head -1
}

# tombstones on all three, or "?" for a node that did not answer
tombs() {
	echo "$(field tombstones 0) $(field tombstones 1) $(field tombstones 2)"
}

for i in 0 1 2; do start $i; done
ready 0 && ready 1 && ready 2
ok $? "three nodes answer"

bad=0
for i in $(seq 12); do
	"$bin" put --node "$(at 0)" --w 3 "k$i" "v$i" >/dev/null 2>&1 || bad=$((bad + 1))
done
# a pid of 0 would stop the test's own process group
[ "${pids[2]}" -gt 0 ] && kill -STOP "${pids[2]}"
for i in $(seq 8); do
	"$bin" del --node "$(at 0)" --w 2 "k$i" >/dev/null 2>&1 || bad=$((bad + 1))
done
echo "# 12 puts with W=3, then 8 deletes with W=2 and n2 stopped: $bad failed (${SECONDS}s)"
[ $bad = 0 ]
ok $? "12 keys written to all three, 8 of them deleted while n2 is stopped"

# several grace periods: nothing may be collected while n2 is silent
sleep 1.5
held=$(tombs)
echo "# tombstones with n2 stopped, after 1.5 s: n0 n1 n2 = $held"
[ "${held% *}" = "8 8" ]
ok $? "with n2 stopped, n0 and n1 keep their 8 tombstones"

[ "${pids[2]}" -gt 0 ] && kill -CONT "${pids[2]}"
for i in $(seq 40); do
	[ "$(tombs)" = "0 0 0" ] && break
	sleep 0.3
done
left=$(tombs)
collected=$(($(field collected 0) + $(field collected 1) + $(field collected 2)))
echo "# after n2 runs again: tombstones $left, $collected collected in all (${SECONDS}s)"
[ "$left" = "0 0 0" ] && [ "$collected" -ge 24 ]
ok $? "n2 running again: every tombstone collected on all three nodes"

# no deleted key back: from all three, and from n2 (which held the values)
back=0
live=0
for i in $(seq 12); do
	v=$("$bin" get --node "$(at 1)" --r 3 "k$i" 2>/dev/null)
	v2=$("$bin" get --node "$(at 2)" --r 1 "k$i" 2>/dev/null)
	if [ "$i" -le 8 ]; then
		[ -n "$v$v2" ] && back=$((back + 1))
	else
		[ "$v" = "v$i" ] && [ "$v2" = "v$i" ] && live=$((live + 1))
	fi
done
echo "# deleted keys read back: $back of 8; live keys read: $live of 4 (${SECONDS}s)"
[ $back = 0 ] && [ $live = 4 ]
ok $? "no deleted key reads back (R=3, and n2 alone); the 4 others do"

for i in 0 1 2; do
	[ "${pids[i]}" -gt 0 ] || continue
	kill -KILL "${pids[i]}"
	wait "${pids[i]}" 2>/dev/null
done
for i in 0 1 2; do start_node "$i" --grace-ms 0; done
ready 0 && ready 1 && ready 2
after="$(tombs) / $(field keys 0) $(field keys 1) $(field keys 2)"
echo "# after SIGKILL and restart: tombstones / keys = $after"
[ "$after" = "0 0 0 / 4 4 4" ]
ok $? "after SIGKILL of all three: no tombstone and 4 records in each LMDB"
exit $fail
