#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# nemesis.sh: seeded random fault rounds on five store nodes in network
# namespaces (the cluster lab's netns.sh) under load, judged by the
# history checker. A sixth namespace holds the client, which no fault
# touches. Each round draws from the seed one fault and its victims:
#   link  a node's link down (unreachable, also from the client)
#   split one or two nodes cut off from the others by nft drop rules
#         (the client still reaches both sides)
#   kill  SIGKILL, restarted at the heal
#   stop  SIGSTOP, SIGCONT at the heal
# holds it, heals, and pauses. "smpkit-kv load" (R=W=2 of N=3, reads,
# puts and counter bumps) writes its history meanwhile. After the last
# round: every node answers, anti-entropy is waited for until its pushed
# keys stay level for 3 s (at most 40 s: convergence time), then a
# verify pass reads every key from all three owners (R=3), which must
# find them equal (no read repair), and "smpkit-kv check --quorum" judges
# the whole history. The fault schedule replays with the same --seed;
# the real system's timing does not. --weak is the broken variant: the
# load reads and writes with R=W=1 while the checker still holds it to
# quorum rules, which a fault round must catch (a stale read).
#   nemesis.sh [--seed S] [--rounds N] [--hold MS] [--rate R] [--keys K]
#              [--out DIR] [--weak]
# Prints the report; exit 0 when every check held, 1 when one failed, 4
# when namespaces cannot be made here (the reason on stderr).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
bin=${SMPKIT_KV_BIN:-$top/build/bin/smpkit-kv}
seed=$(( $(date +%s) % 100000 )) rounds=4 hold=1200 rate=150 keys=300 keep=
rw=(--r 2 --w 2) weak=
while [ $# -gt 0 ]; do
	case "$1" in
	--seed) seed=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--hold) hold=$2; shift 2 ;;
	--rate) rate=$2; shift 2 ;;
	--keys) keys=$2; shift 2 ;;
	--out) keep=$2; shift 2 ;;
	--weak) rw=(--r 1 --w 1) weak=" --weak"; shift ;;
	-h|--help) sed -n '3,/^[^#]/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "nemesis.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done
for v in "$seed" "$rounds" "$hold" "$rate" "$keys"; do
	[[ $v =~ ^[0-9]+$ ]] || { echo "nemesis.sh: '$v' is not a number" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "nemesis.sh: $bin is not built" >&2; exit 1; }
if [ "$rounds" -lt 1 ] || [ "$hold" -lt 100 ] || [ "$keys" -lt 1 ]; then
	echo "nemesis.sh: --rounds >= 1, --hold >= 100 ms, --keys >= 1" >&2
	exit 2
fi

out=$(mktemp -d)
nodes=6	# five store nodes and the client's namespace (n5)
. "$top/tools/cluster/lab/netns.sh"
cleanup() {
	netns_down
	[ -n "$keep" ] && mkdir -p "$keep" && cp "$out"/* "$keep"/ 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT
netns_up

port=7400
peers=
for i in 0 1 2 3 4; do peers=$peers${peers:+,}10.213.0.$((i + 1)):$port; done
client() { ip netns exec "$tag-n5" "$bin" "$@"; }
# started directly: $! is the node itself (ip netns exec execs it)
start() {
	ip netns exec "$tag-n$1" "$bin" node --id "$1" --peers "$peers" \
		--dir "$out/n$1" --duration 600 2>>"$out/n$1.log" &
	echo $! >"$out/n$1.pid"
}
pid() { cat "$out/n$1.pid"; }
status() { client status --node "10.213.0.$(($1 + 1)):$port" --timeout 300 2>/dev/null; }
ready() {
	local i
	for i in $(seq 100); do status "$1" >/dev/null && return 0; sleep 0.1; done
	return 1
}
# field NAME: the sum over the five nodes of the status counter NAME
field() {
	local i s=0 v
	for i in 0 1 2 3 4; do
		v=$(status $i | sed -n "s/.*$1 \([0-9]*\).*/\1/p")
		s=$((s + ${v:-0}))
	done
	echo $s
}

nft_ok=yes
ip netns exec "$tag-n0" nft add table inet kvlab 2>/dev/null &&
	ip netns exec "$tag-n0" nft delete table inet kvlab 2>/dev/null || nft_ok=
# nft_cut NODE ADDR...: NODE drops what comes from the ADDRs
nft_cut() {
	local ns=$tag-n$1
	shift
	ip netns exec "$ns" nft add table inet kvlab &&
		ip netns exec "$ns" nft add chain inet kvlab in '{ type filter hook input priority 0; }' &&
		ip netns exec "$ns" nft add rule inet kvlab in ip saddr "{ $(echo "$@" | tr ' ' ,) }" drop
}

for i in 0 1 2 3 4; do start $i; done
up=1
for i in 0 1 2 3 4; do ready $i || up=; done
[ -n "$up" ] || { echo "nemesis: the five nodes did not all answer"; exit 1; }

RANDOM=$seed
gap=500
run_s=$(( (rounds * (hold + gap) + 999) / 1000 + 1 ))
echo "# kv nemesis: seed $seed, $rounds rounds of ${hold} ms faults and ${gap} ms pauses, 5 nodes, N=3, R=W=${rw[1]}, load $rate/s over $keys keys for $run_s s${nft_ok:+ (nft splits)}"
echo "# replay the schedule: tools/kv/lab/nemesis.sh --seed $seed --rounds $rounds --hold $hold --rate $rate --keys $keys$weak"
client load --nodes "$peers" --rate "$rate" --duration "$run_s" --reads 40 \
	--bumps 30 --keys "$keys" --dist uniform --timeout 300 "${rw[@]}" \
	--history "$out/history" >"$out/load" 2>&1 &
load=$!
echo $load >"$out/load.pid"
sleep 0.5
kinds=(link split kill stop)
for r in $(seq "$rounds"); do
	kind=${kinds[RANDOM % 4]}
	[ "$kind" = split ] && [ -z "$nft_ok" ] && kind="link"
	a=$((RANDOM % 5))
	case $kind in
	link)
		ip -n "$tag-n$a" link set eth0 down
		what="n$a link down" ;;
	split)
		# a minority of one or two against the rest, both ways
		b=$(( (a + 1 + RANDOM % 4) % 5 ))
		minority="$a"
		[ $((RANDOM % 2)) = 1 ] && minority="$a $b"
		for i in 0 1 2 3 4; do
			if [[ " $minority " == *" $i "* ]]; then side=in; else side=out; fi
			others=()
			for j in 0 1 2 3 4; do
				[[ " $minority " == *" $j "* ]] && js=in || js=out
				[ "$js" != "$side" ] && others+=("10.213.0.$((j + 1))")
			done
			nft_cut "$i" "${others[@]}"
		done
		what="split {${minority// /,}} from the rest" ;;
	kill)
		kill -KILL "$(pid $a)"
		what="n$a SIGKILL" ;;
	stop)
		kill -STOP "$(pid $a)"
		what="n$a SIGSTOP" ;;
	esac
	echo "round $r: $what for $hold ms"
	sleep "$(awk -v m="$hold" 'BEGIN { print m / 1000 }')"
	case $kind in
	link) ip -n "$tag-n$a" link set eth0 up ;;
	split) for i in 0 1 2 3 4; do ip netns exec "$tag-n$i" nft delete table inet kvlab 2>/dev/null; done ;;
	kill) wait "$(pid $a)" 2>/dev/null; start $a ;;
	stop) kill -CONT "$(pid $a)" ;;
	esac
	sleep "$(awk -v m="$gap" 'BEGIN { print m / 1000 }')"
done
wait $load
healed=$(date +%s%N)
sed 's/^/load: /' "$out/load"
fail=0

up=1
for i in 0 1 2 3 4; do ready $i || up=; done
[ -n "$up" ] || { echo "FAIL: a node does not answer after the heal"; fail=1; }

# anti-entropy level: its pushed keys unchanged for 3 s (6 polls)
last=-1 same=0 t=0
while [ $same -lt 6 ] && [ $t -lt 80 ]; do
	now=$(field "keys pushed")
	if [ "$now" = "$last" ]; then same=$((same + 1)); else same=0; fi
	last=$now
	sleep 0.5
	t=$((t + 1))
done
conv_ms=$(( ($(date +%s%N) - healed) / 1000000 - 3000 ))
[ $same -ge 6 ] || { echo "FAIL: anti-entropy still pushing keys 40 s after the heal"; fail=1; }
echo "converged: anti-entropy level about $conv_ms ms after the load ended ($last keys pushed in all)"

rr0=$(field "read repairs")
client load --nodes "$peers" --verify --keys "$keys" --r 3 --rate 500 \
	--timeout 1000 --history "$out/history" >"$out/verify" 2>&1
rr1=$(field "read repairs")
finals=$(grep -c '^final .* ok' "$out/history")
echo "verify: $finals of $((2 * keys)) keys read from all three owners, read repairs $((rr1 - rr0))"
[ "$finals" = $((2 * keys)) ] || { echo "FAIL: not every key could be read from its three owners"; fail=1; }
[ $((rr1 - rr0)) = 0 ] || { echo "FAIL: owners still differed after the heal"; fail=1; }

client check --quorum "$out/history" >"$out/check" 2>&1 || fail=1
cat "$out/check"
[ $fail = 0 ] && echo "nemesis: seed $seed passed" || echo "nemesis: seed $seed FAILED"
exit $fail
