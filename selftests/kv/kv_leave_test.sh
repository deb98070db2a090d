#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kv_leave_test: the fourth node of a four-node ring on loopback leaves
# while the load generator runs. The operator's leave begins at every
# node, waits until the leaver's heirs caught up, and commits; then every
# node drops the copies it no longer keeps. Every request the load offered
# is accounted for; the leaver holds no copy afterwards; with the leaver
# killed, the 30 values written before are read back with R=3 from the
# three remaining nodes; a restarted node keeps the committed ring; a
# second leave of the same node finds nothing to do.
. "$(dirname "$0")/kvlib.sh" || exit 1
kv_begin 4 7 15013
start() { start_node "$1"; }
status() { "$bin" status --node "$(at "$1")"; }
version() { status "$1" | sed -n 's/.*ring version \([0-9]*\).*/\1/p'; }
keys() { status "$1" | sed -n 's/^keys \([0-9]*\),.*/\1/p'; }

for i in 0 1 2 3; do start $i; done
ready 0 && ready 1 && ready 2 && ready 3
ok $? "four nodes answer, all four ring members"

written=0
for k in $(seq 30); do
	"$bin" put --node "$(at $((k % 4)))" "l$k" "v$k" >/dev/null 2>&1 && written=$((written + 1))
done
before=$(keys 3)
"$bin" load --nodes "$(at 0),$(at 1),$(at 2)" --rate 200 --duration 3 \
	--timeout 2000 >"$tmp/load" 2>&1 &
loadpid=$!
sleep 0.5
"$bin" leave --nodes "$peers" --wait 30 3 >"$tmp/leave" 2>&1
lrc=$?
sed 's/^/# /' "$tmp/leave"
[ $lrc = 0 ] && [ $written = 30 ] && [ "$(grep -c 'caught up$' "$tmp/leave")" = 4 ] &&
	[ "$(grep -c 'ring version 5 committed' "$tmp/leave")" = 4 ]
ok $? "n3 leaves while the load runs: begun everywhere, every node caught up, committed"

kill -0 $loadpid 2>/dev/null && under=under || under="after (slow machine)"
wait $loadpid
sed -n 's/^offered \([0-9]*\) .*: ok \([0-9]*\), errors \([0-9]*\), timeouts \([0-9]*\), client saturated \([0-9]*\)$/\1 \2 \3 \4 \5/p' "$tmp/load" >"$tmp/counts"
read -r offered okc errc toc satc <"$tmp/counts"
echo "# load during the leave: $offered offered, $okc ok, $errc errors, $toc timeouts"
[ -n "$offered" ] && [ $((okc + errc + toc + satc)) = "$offered" ] && [ "$okc" -gt 0 ]
ok $? "every request offered during the leave is accounted for ($okc of $offered ok)"

ring=$(sed -n 's/^errors for the ring .*: \([0-9]*\)$/\1/p' "$tmp/load")
echo "# the commit came $under the load; requests refused for the ring: ${ring:-?}"
[ "$ring" = 0 ]
ok $? "no request lost to the commit: none failed for a stale ring or a shard given away"

# told, or first on hearing a peer that committed: its log has the count
dropped=$(sed -n 's/.* ring version 5 committed (.*), \([0-9]*\) copies dropped$/\1/p' "$tmp/n3.log")
after=$(keys 3)
echo "# the leaver held $before keys before, dropped ${dropped:-?}, holds $after"
[ -n "$dropped" ] && [ "$dropped" -gt 0 ] && [ "$after" = 0 ]
ok $? "the leaver dropped its copies once the change committed (${dropped:-?}; $after left)"

kill -KILL "${pids[3]}"
wait "${pids[3]}" 2>/dev/null
pids[3]=0
kill -KILL "${pids[0]}"
wait "${pids[0]}" 2>/dev/null
start 0
ready 0
back=0
for k in $(seq 30); do
	[ "$("$bin" get --r 3 --node "$(at $((k % 3)))" "l$k" 2>/dev/null)" = "v$k" ] &&
		back=$((back + 1))
done
[ $back = 30 ] && [ "$(version 0)" = 5 ]
ok $? "leaver gone, n0 restarted: $back of 30 values read with R=3, ring version $(version 0)"

# n3 is gone: the three others say it is done, nothing begins anywhere
"$bin" leave --nodes "$peers" 3 >"$tmp/again" 2>&1
sed 's/^/# /' "$tmp/again"
[ "$(grep -c '^n[0-2]: n3 is not a member' "$tmp/again")" = 3 ] &&
	! grep -q 'begins' "$tmp/again"
ok $? "leaving again changes nothing and says so"
exit $fail
