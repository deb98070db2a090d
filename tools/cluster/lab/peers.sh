#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Peers beside our nodes in the same kind of lab, one member per
# namespace, with the same heart-beat interval and timeout as ours.
# etcd (Raft): each round kills the leader with SIGKILL and measures, from
# each member's own log ("elected leader" or "changed leader"), when the
# members learned the new leader. corosync (totem + votequorum): each
# round cuts one member off (its veth down) and measures when the others
# formed the smaller membership and when the cut-off one said it lost
# quorum, from their logs.
#
#   peers.sh etcd|corosync --nodes N [--rounds R] [--hb MS] [--timeout MS]
#            [--out DIR]
#
# Exit: 0 done, 1 a round found no decision, 2 usage, 4 cannot run here.
set -uo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
die() { echo "peers: $*" >&2; exit 2; }

peer=${1:-}
[ "$peer" = etcd ] || [ "$peer" = corosync ] ||
	die "usage: peers.sh etcd|corosync --nodes N [--rounds R] [--hb MS] [--timeout MS] [--out DIR]"
shift
if [ -z "${SCL_LAB_RT:-}" ] && chrt -r 5 true 2>/dev/null; then
	SCL_LAB_RT=1 exec chrt -r 5 "$self" "$peer" "$@"
fi
nodes=3 rounds=5 hb=100 to=500 out=
while [ $# -gt 0 ]; do
	case "$1" in
	--nodes) nodes=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--hb) hb=$2; shift 2 ;;
	--timeout) to=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) die "unknown option '$1'" ;;
	esac
done
[[ $nodes =~ ^[0-9]+$ ]] && [ "$nodes" -ge 3 ] && [ "$nodes" -le 9 ] || die "--nodes must be 3..9"
[[ $rounds =~ ^[0-9]+$ ]] && [ "$rounds" -le 100 ] || die "--rounds must be 0..100"
[ -n "$out" ] || out=$(mktemp -d /tmp/smpkit-peers.XXXXXX)
mkdir -p "$out"
# An --out reused from an earlier run must not lend it its state: a
# stale etcdI.down made leader() skip member I for good (a 5-member run
# "lost its leader" after round 8 when e2, marked down by a run aborted
# hours before, became leader), and old data dirs would be rejoined.
for ((i = 0; i < 9; i++)); do
	rm -rf "$out/etcd$i" "$out/etcd$i.down" "$out/etcd$i.pid" "$out/etcd$i.log"
done
rm -f "$out/etcd-report.txt"
if [ "$peer" = corosync ]; then
	exec "$(dirname "$self")/corosync.sh" "$nodes" "$rounds" "$hb" "$to" "$out"
fi
command -v etcd >/dev/null && command -v etcdctl >/dev/null ||
	{ echo "peers: cannot run here: etcd-server and etcd-client are not installed" >&2; exit 4; }
. "$(dirname "$self")/netns.sh"
trap netns_down EXIT
trap 'exit 1' INT TERM
netns_up

cluster=
for ((i = 0; i < nodes; i++)); do
	cluster+=${cluster:+,}e$i=http://10.213.0.$((i + 1)):2380
done
start() {
	local i=$1 ip=10.213.0.$(($1 + 1)) state=${2:-new}
	$rt ip netns exec "$tag-n$i" etcd --name "e$i" --data-dir "$out/etcd$i" \
		--listen-peer-urls "http://$ip:2380" --initial-advertise-peer-urls "http://$ip:2380" \
		--listen-client-urls "http://$ip:2379" --advertise-client-urls "http://$ip:2379" \
		--initial-cluster "$cluster" --initial-cluster-state "$state" \
		--heartbeat-interval "$hb" --election-timeout "$to" \
		--logger zap --log-outputs stderr >>"$out/etcd$i.log" 2>&1 &
	echo $! >"$out/etcd$i.pid"
	disown
}
# leader: the index of the member that is leader, or none.
leader() {
	local i j
	for ((i = 0; i < nodes; i++)); do
		[ -e "$out/etcd$i.down" ] && continue
		j=$(ip netns exec "$tag-n$i" env ETCDCTL_API=3 etcdctl --dial-timeout 300ms \
			--endpoints "http://10.213.0.$((i + 1)):2379" endpoint status -w json 2>/dev/null |
			python3 -c 'import json,sys; s=json.load(sys.stdin)[0]["Status"]; print(1 if s["leader"] == s["header"]["member_id"] else 0)' 2>/dev/null)
		[ "$j" = 1 ] && { echo "$i"; return; }
	done
	echo none
}
# learned I T0 [RE]: when member I first logged a leader election (or a
# line matching RE) after T0.
learned() {
	grep -E "${3:-(elected|changed) leader}" "$out/etcd$1.log" | python3 -c '
import sys, json, datetime
t0 = float(sys.argv[1])
for line in sys.stdin:
	try:
		ts = json.loads(line)["ts"]
	except Exception:
		continue
	t = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()
	if t > t0:
		print("%.3f" % (t - t0)); break' "$2"
}

for ((i = 0; i < nodes; i++)); do start "$i"; done
for ((k = 0; k < 60; k++)); do l=$(leader); [ "$l" != none ] && break; sleep 0.5; done
[ "$l" != none ] || { echo "peers: etcd elected no leader in 30 s"; exit 1; }
echo "peers: etcd, $nodes members, heart beat $hb ms, election timeout $to ms; leader e$l"
fail=0
echo "round old elected_s known_by_all_s campaign_s" >"$out/etcd-report.txt"
for ((r = 1; r <= rounds; r++)); do
	l=$(leader)
	[ "$l" != none ] || { echo "peers: round $r: no leader"; fail=1; continue; }
	t0=$(date +%s.%N)
	kill -KILL "$(cat "$out/etcd$l.pid")"
	touch "$out/etcd$l.down"
	first= last=
	for ((k = 0; k < 100; k++)); do
		sleep 0.1
		first= last= all=1
		for ((i = 0; i < nodes; i++)); do
			[ "$i" = "$l" ] && continue
			t=$(learned "$i" "$t0")
			[ -n "$t" ] || { all=0; break; }
			[ -z "$first" ] || [ "$(echo "$t < $first" | bc)" = 1 ] && first=$t
			[ -z "$last" ] || [ "$(echo "$t > $last" | bc)" = 1 ] && last=$t
		done
		[ $all = 1 ] && break
	done
	# etcd's detection: the first member whose election timer ran out
	# (raft logs "is starting a new election" when it campaigns)
	camp=
	for ((i = 0; i < nodes; i++)); do
		[ "$i" = "$l" ] && continue
		t=$(learned "$i" "$t0" 'starting a new election')
		[ -n "$t" ] || continue
		[ -z "$camp" ] || [ "$(echo "$t < $camp" | bc)" = 1 ] && camp=$t
	done
	if [ $all = 1 ]; then
		echo "peers: round $r: SIGKILL of leader e$l -> first campaign after ${camp:--} s, new leader after $first s, known by all after $last s"
		echo "$r e$l $first $last ${camp:--}" >>"$out/etcd-report.txt"
	else
		echo "peers: round $r: no new leader within 10 s"; fail=1
	fi
	rm -f "$out/etcd$l.down"
	start "$l" existing
	sleep 3
done
exit $fail
