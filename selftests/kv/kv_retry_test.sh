#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kv_retry_test: the plain client commands fail over along --nodes. With
# the first node SIGKILLed, get, put, del, counter and set all succeed
# through the next one (the kernel refuses the datagram: nothing was
# received, so nothing applies twice), and the counter counts each bump
# once. With the first node stopped (SIGSTOP: a timeout, the outcome
# unknown), a get moves on, while a counter bump is sent to the same node
# once more with its idempotency key and then reported as unknown, not
# sent elsewhere; once the node runs again the bump counts once. With
# every node gone the command says so (exit 3).
. "$(dirname "$0")/kvlib.sh" || exit 1
kv_begin 3 6 4099
all="$(at 0),$(at 1),$(at 2)"
start() { start_node "$1"; }

for i in 0 1 2; do start $i; done
ready 0 && ready 1 && ready 2
ok $? "three nodes answer"

"$bin" counter --node "$(at 0)" c 1 >/dev/null 2>&1 &&
	"$bin" put --node "$(at 0)" k v0 >/dev/null 2>&1
ok $? "a counter bump and a put through n0"

kill -KILL "${pids[0]}"
wait "${pids[0]}" 2>/dev/null
pids[0]=0
# --node alone: nowhere else to go, and it says so at once
"$bin" get --node "$(at 0)" k >"$tmp/out" 2>"$tmp/err"
rc=$?
sed 's/^/# /' "$tmp/err"
[ $rc = 3 ] && grep -q 'no other node is left' "$tmp/err"
ok $? "with n0 SIGKILLed and no other node named, get exits 3 with a message"

good=0
"$bin" put --nodes "$all" k v1 >/dev/null 2>"$tmp/err" && good=$((good + 1))
sed 's/^/# /' "$tmp/err"
[ "$("$bin" get --nodes "$all" k 2>/dev/null)" = v1 ] && good=$((good + 1))
"$bin" counter --nodes "$all" c 2 >/dev/null 2>&1 && good=$((good + 1))
"$bin" set --nodes "$all" s add e1 >/dev/null 2>&1 && good=$((good + 1))
"$bin" del --nodes "$all" gone >/dev/null 2>&1 && good=$((good + 1))
ctr=$("$bin" get --nodes "$all" c 2>/dev/null)
echo "# $good of 5 commands through n1 after n0's refusal; counter $ctr"
[ $good = 5 ] && [ "$ctr" = 3 ]
ok $? "with n0 SIGKILLed first in --nodes: put, get, counter, set, del succeed; the counter is exactly 3"

start 0
ready 0
kill -STOP "${pids[0]}"
"$bin" get --nodes "$all" --timeout 300 k >"$tmp/get" 2>/dev/null
grc=$?
"$bin" counter --nodes "$all" --timeout 300 c 1 >/dev/null 2>"$tmp/err"
crc=$?
sed 's/^/# /' "$tmp/err"
[ $grc = 0 ] && [ "$(cat "$tmp/get")" = v1 ] && [ $crc = 3 ] &&
	grep -q 'may or may not have applied' "$tmp/err"
ok $? "n0 stopped: get moves on to n1; a counter bump is not sent elsewhere (exit 3, outcome unknown)"

kill -CONT "${pids[0]}"
# both copies of the bump wait in n0's socket; its key makes them one
ctr=""
for i in $(seq 30); do
	ctr=$("$bin" get --node "$(at 1)" --r 3 c 2>/dev/null)
	[ "$ctr" = 4 ] && break
	sleep 0.1
done
sleep 0.5
ctr=$("$bin" get --node "$(at 1)" --r 3 c 2>/dev/null)
[ "$ctr" = 4 ]
ok $? "n0 running again: the bump sent to it twice counted once ($ctr, 4 expected)"
exit $fail
