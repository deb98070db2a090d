#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kv_load_retry_test: the load generator retries. Three nodes on
# 127.0.0.1; load offers reads, puts and counter bumps (R=W=2 of N=3)
# and writes its history; n1 is SIGKILLed 1 s in. Its refusals send
# requests on to the next node, so no read or put fails and only bumps
# whose outcome cannot be known (sent to n1 just before it died) end
# "unknown"; the retries are counted. After n1 restarts, a verify pass
# reads every key from all three owners (R=3), and the history checker
# finds no acknowledged put lost, every quorum read up to date and each
# counter between its acknowledged and possible bumps.
. "$(dirname "$0")/kvlib.sh" || exit 1
kv_begin 3 4 7919
keys=60

for i in 0 1 2; do start_node $i; done
ready 0 && ready 1 && ready 2
ok $? "three nodes answer"

"$bin" load --nodes "$peers" --rate 250 --duration 3 --reads 40 --bumps 30 \
	--keys $keys --dist uniform --timeout 300 --history "$tmp/h" \
	>"$tmp/load" 2>&1 &
load=$!
sleep 1
kill -KILL "${pids[1]}"
wait "${pids[1]}" 2>/dev/null
pids[1]=0
wait $load
sed 's/^/# /' "$tmp/load"
read -r offered okc errc toc satc < <(sed -n 's/^offered \([0-9]*\) .*: ok \([0-9]*\), errors \([0-9]*\), timeouts \([0-9]*\), client saturated \([0-9]*\)$/\1 \2 \3 \4 \5/p' "$tmp/load")
read -r retries refused unknown notapp < <(sed -n 's/^retries \([0-9]*\) (refused \([0-9]*\),.* unknown outcome \([0-9]*\), not applied \([0-9]*\)$/\1 \2 \3 \4/p' "$tmp/load")
nonbump=$(grep -v '^bump' "$tmp/h" | grep -vc ' ok')
[ -n "$offered" ] && [ $((okc + errc + toc + satc)) = "$offered" ] &&
	[ "$errc" = 0 ] && [ "$notapp" = 0 ] && [ "$nonbump" = 0 ]
ok $? "with n1 SIGKILLed under load every get and put succeeds ($okc of $offered ok, $unknown bumps of unknown outcome)"

# nearly every refusal sends its request on (all but those at the last
# node left): a load that stopped at refusals has a handful of retries
[ "${refused:-0}" -gt 0 ] && [ "${retries:-0}" -ge $((refused / 2)) ]
ok $? "the retries are counted ($retries, with $refused refusals)"

start_node 1
ready 1
"$bin" load --nodes "$peers" --verify --keys $keys --r 3 --rate 500 \
	--history "$tmp/h" >"$tmp/verify" 2>&1
"$bin" check --quorum "$tmp/h" >"$tmp/check" 2>&1
rc=$?
sed 's/^/# /' "$tmp/check"
judged=$(sed -n 's/.*; \([0-9]*\) reads judged (.*/\1/p' "$tmp/check")
finals=$(grep -c '^final .* ok' "$tmp/h")
[ $rc = 0 ] && [ "$finals" = $((2 * keys)) ] && [ "${judged:-0}" -ge "$finals" ]
ok $? "the history checker finds no acknowledged write lost ($finals final reads at R=3)"
exit $fail
