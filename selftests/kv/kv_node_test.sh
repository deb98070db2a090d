#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kv_node_test: three store nodes on loopback (127.0.0.1 only), data in
# LMDB under a scratch folder. A write through one node is read through
# another; counter and set work; an acknowledged write survives SIGKILL
# of every node; malformed, oversized, stale-ring and unknown-shard input
# each get a clear error and lose nothing; the load generator accounts
# for every request it offers; with a replica down a node still serves
# 500 requests a second; a node whose disk was wiped is rebuilt by
# anti-entropy and then serves the data alone, and a write it coordinated
# before that keeps a dot of its own.
. "$(dirname "$0")/kvlib.sh" || exit 1
kv_begin 3 13 0
start() { start_node "$1"; }
kill9() {
	kill -KILL "${pids[$1]}" 2>/dev/null
	wait "${pids[$1]}" 2>/dev/null
	pids[$1]=0
}
# wait (bounded) until a node answers

"$bin" node --id 5 --peers "$peers" --dir "$tmp/x" >"$tmp/err" 2>&1
[ $? = 2 ] && grep -q 'names only 3 nodes' "$tmp/err"
ok $? "an id beyond the peers is refused with a message"

for i in 0 1 2; do start $i; done
ready 0 && ready 1 && ready 2
ok $? "three nodes answer status"

"$bin" put --node "$(at 0)" cart milk >/dev/null &&
	[ "$("$bin" get --node "$(at 2)" cart)" = milk ]
ok $? "a write acknowledged by n0 (W=2 of 3) is read through n2 (R=2)"

"$bin" counter --node "$(at 1)" hits 5 >/dev/null &&
	[ "$("$bin" counter --node "$(at 2)" hits -2)" = 3 ] &&
	"$bin" set --node "$(at 0)" tags add red >/dev/null &&
	[ "$("$bin" set --node "$(at 1)" tags add blue | tr '\n' ' ')" = "blue red " ]
ok $? "PN-counter and OR-set through different coordinators"

"$bin" put --node "$(at 1)" --w 3 durable yes >/dev/null
for i in 0 1 2; do kill9 $i; done
for i in 0 1 2; do start $i; done
ready 0 && ready 1 && ready 2 &&
	[ "$("$bin" get --node "$(at 0)" durable)" = yes ] &&
	[ "$("$bin" get --node "$(at 1)" cart)" = milk ]
ok $? "acknowledged writes survive SIGKILL of the whole cluster (LMDB)"

long=$(printf 'k%.0s' $(seq 300))
big=$(printf 'v%.0s' $(seq 500))
"$bin" get --node "$(at 0)" "$long" 2>"$tmp/e1"
r1=$?
"$bin" put --node "$(at 0)" cart "$big" 2>"$tmp/e2"
r2=$?
[ $r1 = 1 ] && grep -q 'too long: key 300 bytes (at most 64)' "$tmp/e1" &&
	[ $r2 = 1 ] && grep -q 'value 500 bytes (at most 128)' "$tmp/e2"
ok $? "an oversized key or value is refused with its size and the limit"

"$bin" get --ring-version 99 --node "$(at 0)" cart 2>"$tmp/e3"
r3=$?
[ $r3 = 1 ] && grep -q 'stale ring version 99: this node.s ring is version 3' "$tmp/e3"
ok $? "a request for a stale ring version is refused, naming both versions"

"$bin" junk --node "$(at 0)" truncated | grep -q 'malformed request: truncated' &&
	"$bin" junk --ring-version 3 --node "$(at 0)" shard | grep -q 'unknown shard'
ok $? "a truncated request and a peer message for an unknown shard are refused"

[ "$("$bin" get --node "$(at 2)" cart)" = milk ] && ready 0
ok $? "after the bad input the node is up and nothing was lost"

# open-loop load: every offered request is accounted for, most succeed
"$bin" load --nodes "$peers" --rate 300 --duration 1 --timeout 2000 >"$tmp/load" 2>&1
sed -n 's/^offered \([0-9]*\) .*: ok \([0-9]*\), errors \([0-9]*\), timeouts \([0-9]*\), client saturated \([0-9]*\)$/\1 \2 \3 \4 \5/p' "$tmp/load" >"$tmp/counts"
read -r offered okc errc toc satc <"$tmp/counts"
[ -n "$offered" ] && [ "$offered" -gt 0 ] &&
	[ $((okc + errc + toc + satc)) = "$offered" ] && [ "$okc" -gt 0 ] &&
	grep -q '^latency from intended start (us): p50 [0-9]* p90' "$tmp/load"
ok $? "the load generator accounts for every request ($okc of $offered ok) and reports percentiles"

# n2 loses its disk; anti-entropy from n0 and n1 rebuilds it. A key n2
# wrote before is written through it again at once, blind (the load
# generator does not read first, as the put command does): numbered from
# its empty copy, the new write would reuse an old write's dot, which the
# other replicas' versions already cover, and they would drop it. So n2
# numbers its dots past the wall clock at its start (microseconds).
wload() {
	"$bin" load --nodes "$(at 2)" --rate 200 --duration 1 --reads 0 \
		--keys 1 --w 3 "$@" >/dev/null 2>&1
}
wload
kill9 2
# with a replica down, each request waits for it until its timeout, to
# repair it: the answered ones give their slot up when one is needed,
# instead of limiting a node to 64 requests a timeout (213/s)
closed() {
	"$bin" status --node "$(at 0)" | sed -n 's/.*closed early for a free slot \([0-9]*\)$/\1/p'
}
c0=$(closed)
"$bin" load --nodes "$(at 0)" --rate 500 --duration 1 --reads 50 --w 2 \
	--timeout 2000 >"$tmp/load2" 2>&1
okc=$(sed -n 's/^offered \([0-9]*\) .*: ok \([0-9]*\), .*/\2/p' "$tmp/load2")
c1=$(closed)
echo "# n2 down, 500/s through n0: ${okc:-?} ok, $((c1 - c0)) requests closed early"
[ -n "$okc" ] && [ "$okc" -ge 425 ] && [ $((c1 - c0)) -gt 0 ]
ok $? "with a replica down a node serves 500 requests a second: answered ones free their slots"
rm -rf "$tmp/n2"
t0=$(date +%s%6N)
start 2
ready 2
wload --history "$tmp/hist"
keys() {
	"$bin" status --node "$(at "$1")" | sed -n 's/^keys \([0-9]*\),.*/\1/p'
}
want=$(keys 0)
for i in $(seq 100); do
	[ "$(keys 2)" = "$want" ] && break
	sleep 0.1
done
kill9 0
kill9 1
[ "$(keys 2)" = "$want" ] &&
	[ "$("$bin" get --r 1 --node "$(at 2)" durable)" = yes ]
ok $? "a wiped replica is rebuilt by anti-entropy ($want keys) and serves them alone"

dots=$(sed -n 's/^put .* ok dot=2:\([0-9]*\)$/\1/p' "$tmp/hist")
low=$(for d in $dots; do [ "$d" -gt "$t0" ] || echo "$d"; done | head -1)
[ -n "$dots" ] && [ -z "$low" ]
ok $? "the wiped replica numbers its first writes past its start time (no dot reused${low:+; got $low})"
exit $fail
