#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kv_front_test: the stateless front-end tier on loopback (127.0.0.1
# only). Three store nodes, three front ends and the balancing,
# retrying client (smpkit-kv bump): a front end SIGKILLed during a
# bounded run of counter bumps costs retries only, and the counter ends
# at the acknowledged bumps exactly; with front ends that lose replies
# on purpose the same holds, and the same client without idempotency
# keys counts some retries twice (the check can fail); after SIGKILL of
# every node the whole run again, as a retry of each request, changes
# nothing (the keys are in LMDB).
. "$(dirname "$0")/kvlib.sh" || exit 1
kv_begin 3 7 11003 8	# three nodes; slots 3-7 for the front ends
# nodes 0-2; front ends 3-5 (3-4 reliable, 5 with 4 and 6 losing replies)
start() {
	if [ "$1" -lt 3 ]; then
		start_node "$1"
		return
	fi
	"$bin" front --listen "$(at "$1")" --nodes "$peers" \
		--duration 60 $2 2>>"$tmp/f$1.log" &
	pids[$1]=$!
}
kill9() {
	kill -KILL "${pids[$1]}" 2>/dev/null
	wait "${pids[$1]}" 2>/dev/null
	pids[$1]=0
}
counter() {
	"$bin" get --r 3 --node "$(at 0)" "$1"
}

for i in 0 1 2 3 4 5; do start $i; done
start 6 "--lose 25"
start 7 "--lose 25"
ok_all=0
for i in 0 1 2 3 4 5 6 7; do ready $i || ok_all=1; done
[ $ok_all = 0 ] && "$bin" status --node "$(at 3)" | grep -q '^front end to 3 nodes'
ok $? "three nodes and five front ends answer status"

# 400 bumps at 400/s, 8 in flight; front end 4 dies 0.4 s in
"$bin" bump --fronts "$(at 3),$(at 4),$(at 5)" --count 400 --rate 400 \
	--key kill >"$tmp/b1" 2>&1 &
bp=$!
sleep 0.4
kill9 4
wait $bp
rc=$?
sed 's/^/# /' "$tmp/b1"
acked=$(sed -n 's/^bump: \([0-9]*\) acked, \([0-9]*\) failed.*/\1 \2/p' "$tmp/b1")
retries=$(sed -n 's/.* \([0-9]*\) retries.*/\1/p' "$tmp/b1")
[ $rc = 0 ] && [ "$acked" = "400 0" ] && [ "${retries:-0}" -gt 0 ]
ok $? "a front end SIGKILLed mid-run costs retries ($retries), no failed request"

got=$(counter kill)
[ "$got" = 400 ]
ok $? "the counter equals the acknowledged bumps exactly ($got of 400)"

run_lossy() {	# run_lossy KEY OUT [OPTIONS]: 300 bumps, round robin, lossy fronts
	local key=$1 out=$2
	shift 2
	"$bin" bump --fronts "$(at 6),$(at 7)" --count 300 --rate 600 \
		--policy rr --timeout 100 --key "$key" "$@" >"$out" 2>&1
}
run_lossy lossy "$tmp/b2" --client 77
rc=$?
sed 's/^/# /' "$tmp/b2"
hits=0
for i in 0 1 2; do
	h=$("$bin" status --node "$(at $i)" | sed -n 's/^idempotent retries \([0-9]*\),.*/\1/p')
	hits=$((hits + ${h:-0}))
done
got=$(counter lossy)
[ $rc = 0 ] && [ "$got" = 300 ] && [ $hits -gt 0 ]
ok $? "a quarter of the replies lost: $hits retries recognised, counter $got of 300"

run_lossy doubled "$tmp/b3" --no-idem
sed 's/^/# /' "$tmp/b3"
got=$(counter doubled)
[ -n "$got" ] && [ "$got" -gt 300 ]
ok $? "without idempotency keys the same run counts retries twice ($got for 300)"

for i in 0 1 2; do kill9 $i; done
for i in 0 1 2; do start $i; done
ready 0 && ready 1 && ready 2
ok $? "every node SIGKILLed and restarted"

run_lossy lossy "$tmp/b4" --client 77
rc=$?
sed 's/^/# /' "$tmp/b4"
got=$(counter lossy)
[ $rc = 0 ] && [ "$got" = 300 ]
ok $? "the whole run again after the restart applies nothing twice ($got)"
exit $fail
