#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kv_change_test: the operator's ring change when it does not go through
# in one piece, three nodes on loopback (n0 and n1 members, n2 joining).
# A node that does not answer the begin makes the command abandon the
# change where it began, so no node stays in it; a staged change that a
# commit reaches at n0 and n1 only is committed by n2 on its own once it
# hears from them; a rerun of the join then finds nothing to do; a
# staged leave is abandoned everywhere, the ring as it was; and a node
# killed in the middle of a staged change takes it up again when it
# restarts (the change is on its disk), so the commit goes through, and
# once committed it restarts at the new ring with nothing under way.
. "$(dirname "$0")/kvlib.sh" || exit 1
kv_begin 3 8 4099
status() { "$bin" status --node "$(at "$1")" --timeout 500; }
version() { status "$1" | sed -n 's/.*ring version \([0-9]*\).*/\1/p'; }
moving() { status "$1" | grep -q 'a change is under way'; }

for i in 0 1 2; do start_node $i --members 0-1; done
ready 0 && ready 1 && ready 2 &&
	"$bin" put --node "$(at 0)" k1 before >/dev/null
ok $? "three nodes answer, two of them members, a value written"
v=$(version 0)

kill -STOP "${pids[1]}"
"$bin" join --nodes "$peers" 2 >"$tmp/j1" 2>&1
rc=$?
kill -CONT "${pids[1]}"
sed 's/^/# /' "$tmp/j1"
[ $rc = 1 ] && grep -q '^n1: no answer$' "$tmp/j1" &&
	grep -q '^n0: ring version [0-9]* abandoned' "$tmp/j1" &&
	! moving 0 && ! moving 1 && ! moving 2 && [ "$(version 0)" = "$v" ]
ok $? "a node that misses the begin: the change is abandoned where it began, no node stays in it"

"$bin" join --stage --nodes "$peers" 2 >"$tmp/j2" 2>&1 &&
	grep -q '^staged' "$tmp/j2" && moving 2 &&
	"$bin" commit --nodes "$(at 0),$(at 1)" >"$tmp/c2" 2>&1
rc=$?
sed 's/^/# /' "$tmp/j2" "$tmp/c2"
[ $rc = 0 ] && [ "$(version 0)" = $((v + 1)) ]
ok $? "a staged join committed at n0 and n1 only"

for i in $(seq 100); do
	! moving 2 && break
	sleep 0.1
done
! moving 2 && [ "$(version 2)" = $((v + 1)) ] &&
	grep -q 'committed (a peer committed it)' "$tmp/n2.log" &&
	[ "$("$bin" get --node "$(at 2)" k1)" = before ]
ok $? "n2, which the commit missed, commits on its own on hearing a peer"

"$bin" join --nodes "$peers" 2 >"$tmp/j3" 2>&1
rc=$?
sed 's/^/# /' "$tmp/j3"
[ $rc = 0 ] && grep -q '^nothing to do' "$tmp/j3" &&
	[ "$(grep -c 'a member already' "$tmp/j3")" = 3 ]
ok $? "the join run again finds it done at every node"

"$bin" leave --stage --nodes "$peers" 2 >"$tmp/l1" 2>&1 && moving 0 &&
	"$bin" abort --nodes "$peers" >"$tmp/a1" 2>&1
rc=$?
sed 's/^/# /' "$tmp/l1" "$tmp/a1"
[ $rc = 0 ] && ! moving 0 && ! moving 1 && ! moving 2 &&
	[ "$(version 1)" = $((v + 1)) ] &&
	"$bin" put --node "$(at 2)" k2 after >/dev/null &&
	[ "$("$bin" get --node "$(at 1)" k2)" = after ]
ok $? "a staged leave is abandoned at every node; the ring stays and serves"

# restart_n1: n1 killed at once (no clean stop) and started again
restart_n1() {
	kill -KILL "${pids[1]}"
	wait "${pids[1]}" 2>/dev/null
	start_node 1 --members 0-1
	ready 1
}
"$bin" leave --stage --nodes "$peers" 2 >"$tmp/l2" 2>&1 && moving 1 &&
	restart_n1 && moving 1 &&
	grep -q "ring version $((v + 2)) resumes (n2 leaves" "$tmp/n1.log"
r=$?
# n1 catches up again on the shards the leave gives it, then all commit
for i in $(seq 50); do
	"$bin" commit --nodes "$peers" >"$tmp/c3" 2>&1 && break
	sleep 0.2
done
sed 's/^/# /' "$tmp/l2" "$tmp/c3"
[ $r = 0 ] && ! moving 0 && ! moving 1 && ! moving 2 &&
	[ "$(version 1)" = $((v + 2)) ] && [ "$(version 2)" = $((v + 2)) ]
ok $? "n1 killed in a staged leave resumes it on restart, and the commit goes through"

restart_n1 && ! moving 1 && [ "$(version 1)" = $((v + 2)) ] &&
	[ "$(grep -c 'resumes' "$tmp/n1.log")" = 1 ] &&
	! grep -q 'stale ring change' "$tmp/n1.log" &&
	[ "$("$bin" get --node "$(at 1)" k2)" = after ]
ok $? "restarted after the commit, n1 is at the new ring with nothing under way"
exit $fail
