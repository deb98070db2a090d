#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kv_lab_test: three store nodes in network namespaces this test makes
# (the cluster lab's netns.sh: a bridge namespace, one per node, 10.213.0.x
# only inside them). Round 1: n2 is cut off (link down) while 20 quorum
# writes go through n0; every one is acknowledged and read back through
# n1; after the heal anti-entropy brings n2 level and n2 alone (R=1)
# returns every value. Round 2: n0 is SIGKILLed right after its writes
# were acknowledged and restarted; all 40 values read back. Everything the
# test made is removed. SKIPs with the reason where namespaces cannot be
# made.
top=$(cd "$(dirname "$0")/../.." && pwd)
netns=
for up in .. ../..; do
	[ -f "$top/$up/tools/cluster/lab/netns.sh" ] &&
		netns=$(cd "$top/$up" && pwd)/tools/cluster/lab/netns.sh && break
done
bin=$top/bin/smpkit-kv
. "$(dirname "$0")/../lib/ktap.sh"
[ -x "$bin" ] || ktap_skip_all "$bin is not built"
[ -n "$netns" ] || ktap_skip_all "no tools/cluster/lab/netns.sh above $top"
[ "$(id -u)" = 0 ] || ktap_skip_all "not root: the lab needs network namespaces"
out=$(mktemp -d)
nodes=3
. "$netns"
# netns_up's refusals become a KTAP skip; the trap removes what was made
netns_skip() { ktap_skip_all "$*"; }
cleanup() {
	netns_down
	rm -rf "$out"
}
trap cleanup EXIT
netns_up
ktap_plan 5

port=7400
peers=10.213.0.1:$port,10.213.0.2:$port,10.213.0.3:$port
inns() { local n=$1; shift; ip netns exec "$tag-n$n" "$@"; }
# started directly, not through a function: $! must be the node itself
# (ip netns exec execs it), for netns_down to kill it by its pid file
start() {
	ip netns exec "$tag-n$1" "$bin" node --id "$1" --peers "$peers" \
		--dir "$out/n$1" --duration 120 2>>"$out/n$1.log" &
	echo $! >"$out/n$1.pid"
}
cli() { local n=$1; shift; inns "$n" "$bin" "$1" --node "10.213.0.$((n + 1)):$port" "${@:2}"; }
ready() {
	local i
	for i in $(seq 150); do
		cli "$1" status --timeout 200 >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
keys() { cli "$1" status | sed -n 's/^keys \([0-9]*\),.*/\1/p'; }

for i in 0 1 2; do start $i; done
ready 0 && ready 1 && ready 2
ok $? "three nodes in namespaces $tag-n0..2 answer"

ip -n "$tag-n2" link set eth0 down
acked=0
for k in $(seq 20); do
	cli 0 put --w 2 "r1k$k" "v$k" >/dev/null 2>&1 && acked=$((acked + 1))
done
back=0
for k in $(seq 20); do
	[ "$(cli 1 get --r 2 "r1k$k" 2>/dev/null)" = "v$k" ] && back=$((back + 1))
done
[ $acked = 20 ] && [ $back = 20 ]
ok $? "with n2 cut off, 20 quorum writes are acknowledged and read back ($acked, $back)"

ip -n "$tag-n2" link set eth0 up
want=$(keys 0)
for i in $(seq 100); do
	[ "$(keys 2)" = "$want" ] && break
	sleep 0.1
done
alone=0
for k in $(seq 20); do
	[ "$(cli 2 get --r 1 "r1k$k" 2>/dev/null)" = "v$k" ] && alone=$((alone + 1))
done
[ "$(keys 2)" = "$want" ] && [ $alone = 20 ]
ok $? "after the heal anti-entropy brings n2 level ($want keys) and it returns all 20 alone"

acked=0
for k in $(seq 20); do
	cli 0 put --w 2 "r2k$k" "w$k" >/dev/null 2>&1 && acked=$((acked + 1))
done
kill -KILL "$(cat "$out/n0.pid")"
wait "$(cat "$out/n0.pid")" 2>/dev/null
start 0
ready 0
back=0
for k in $(seq 20); do
	[ "$(cli 0 get "r1k$k" 2>/dev/null)" = "v$k" ] && back=$((back + 1))
	[ "$(cli 0 get "r2k$k" 2>/dev/null)" = "w$k" ] && back=$((back + 1))
done
[ $acked = 20 ] && [ $back = 40 ]
ok $? "n0 SIGKILLed after 20 acknowledged writes and restarted: all 40 values read back ($back)"

netns_down
left=$(ip netns list 2>/dev/null | grep -c "^$tag-")
alive=0
for f in "$out"/*.pid; do kill -0 "$(cat "$f")" 2>/dev/null && alive=$((alive + 1)); done
[ "$left" = 0 ] && [ $alive = 0 ]
ok $? "every namespace and node the test made is gone"
exit $fail
