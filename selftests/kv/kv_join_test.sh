#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kv_join_test: a fourth node joins a three-node ring on loopback while
# the load generator runs. The operator's join begins at every node,
# waits until the joiner caught up, and commits, and the old owners drop
# the copies they gave away; every request the load
# offered is accounted for, the 30 values written before are read through
# the joiner, every node reports the new ring version, a node restarted
# with the old --members keeps the committed ring, and a second join of
# the same member finds nothing to do.
. "$(dirname "$0")/kvlib.sh" || exit 1
kv_begin 4 8 7919
start() { start_node "$1" --members 0-2; }
version() { "$bin" status --node "$(at "$1")" | sed -n 's/.*ring version \([0-9]*\).*/\1/p'; }

for i in 0 1 2 3; do start $i; done
ready 0 && ready 1 && ready 2 && ready 3
ok $? "four nodes answer, three of them ring members"

written=0
for k in $(seq 30); do
	"$bin" put --node "$(at $((k % 3)))" "j$k" "v$k" >/dev/null 2>&1 && written=$((written + 1))
done
"$bin" load --nodes "$(at 0),$(at 1),$(at 2)" --rate 200 --duration 6 \
	--timeout 2000 >"$tmp/load" 2>&1 &
loadpid=$!
sleep 0.5
"$bin" join --nodes "$peers" --wait 30 3 >"$tmp/join" 2>&1
jrc=$?
sed 's/^/# /' "$tmp/join"
[ $jrc = 0 ] && [ $written = 30 ] && grep -q '^n3: caught up$' "$tmp/join"
ok $? "n3 joins while the load runs: begun everywhere, caught up, committed"

# a node commits when told, or first on hearing a peer that did: its log
# says which, with the copies it dropped
committed() {
	sed -n 's/.* ring version 4 committed (.*), \([0-9]*\) copies dropped$/\1/p' "$tmp/n$1.log"
}
dropped=$(for i in 0 1 2; do committed $i; done | awk '{ s += $1 } END { print s + 0 }')
[ "$dropped" -gt 0 ] && [ "$(committed 3)" = 0 ]
ok $? "the old owners dropped $dropped copies of what they gave away, the joiner none"

kill -0 $loadpid 2>/dev/null && under=under || under="after (slow machine)"
wait $loadpid
sed -n 's/^offered \([0-9]*\) .*: ok \([0-9]*\), errors \([0-9]*\), timeouts \([0-9]*\), client saturated \([0-9]*\)$/\1 \2 \3 \4 \5/p' "$tmp/load" >"$tmp/counts"
read -r offered okc errc toc satc <"$tmp/counts"
echo "# load during the join: $offered offered, $okc ok, $errc errors, $toc timeouts"
[ -n "$offered" ] && [ $((okc + errc + toc + satc)) = "$offered" ] && [ "$okc" -gt 0 ]
ok $? "every request offered during the join is accounted for ($okc of $offered ok)"

ring=$(sed -n 's/^errors for the ring .*: \([0-9]*\)$/\1/p' "$tmp/load")
echo "# the commit came $under the load; requests refused for the ring: ${ring:-?}"
[ "$ring" = 0 ]
ok $? "no request lost to the commit: none failed for a stale ring or a shard given away"

back=0
for k in $(seq 30); do
	[ "$("$bin" get --node "$(at 3)" "j$k" 2>/dev/null)" = "v$k" ] && back=$((back + 1))
done
v0=$(version 0) v3=$(version 3)
[ $back = 30 ] && [ "$v0" = 4 ] && [ "$v3" = 4 ]
ok $? "all 30 values read through the joiner; the ring is version 4 ($v0, $v3)"

kill -KILL "${pids[0]}"
wait "${pids[0]}" 2>/dev/null
start 0
ready 0
[ "$(version 0)" = 4 ] && [ "$("$bin" get --node "$(at 0)" j7 2>/dev/null)" = v7 ]
ok $? "a node restarted with the old --members keeps the committed ring"

"$bin" join --nodes "$peers" 3 >"$tmp/again" 2>&1
[ $? = 0 ] && grep -q 'a member already' "$tmp/again" &&
	grep -q '^nothing to do' "$tmp/again" && [ "$(version 1)" = 4 ]
ok $? "joining a member again changes nothing and says so"
exit $fail
