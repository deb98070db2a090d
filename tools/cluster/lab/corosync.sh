#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The corosync half of peers.sh (called by it, not alone): Debian's
# corosync 3 with votequorum, one member per namespace, token timeout
# equal to our heart-beat timeout. Each round cuts member k off (its veth
# down in the bridge's namespace) and reads from the logs when the others
# formed the membership without it ("[QUORUM] Members[N-1]") and when it
# declared itself outside the primary component; then heals and waits
# for the full membership again. Every wait is bounded.
#
#   corosync.sh NODES ROUNDS HB_MS TIMEOUT_MS OUT
set -uo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
[ $# = 5 ] || { echo "usage: corosync.sh NODES ROUNDS HB_MS TIMEOUT_MS OUT" >&2; exit 2; }
nodes=$1 rounds=$2 hb=$3 to=$4 out=$5
command -v corosync >/dev/null ||
	{ echo "peers: cannot run here: corosync is not installed" >&2; exit 4; }
. "$(dirname "$self")/netns.sh"
trap netns_down EXIT
trap 'exit 1' INT TERM
netns_up

# conf I: corosync's configuration for member I (its parser wants one
# setting per line and a line break after each brace)
conf() {
	local j
	printf 'totem {\nversion: 2\ncluster_name: smpkit\ntransport: knet\n'
	# token_coefficient 0: the token timeout is $to whatever the size
	printf 'token: %s\ntoken_coefficient: 0\ncrypto_cipher: none\ncrypto_hash: none\n}\n' "$to"
	printf 'nodelist {\n'
	for ((j = 0; j < nodes; j++)); do
		printf 'node {\nring0_addr: 10.213.0.%d\nnodeid: %d\nname: c%d\n}\n' \
			$((j + 1)) $((j + 1)) "$j"
	done
	printf '}\nquorum {\nprovider: corosync_votequorum\n}\n'
	printf 'logging {\nto_stderr: yes\nto_syslog: no\nto_logfile: no\ntimestamp: hires\n}\n'
	printf 'system {\nstate_dir: %s\n}\n' "$out/c$1"
}
for ((i = 0; i < nodes; i++)); do
	mkdir -p "$out/c$i"
	conf "$i" >"$out/c$i.conf"
	# corosync takes a lock in /run and keeps a flight recorder in
	# /dev/shm: each member gets private ones in a mount namespace of its
	# own, gone with it (nothing of the host's is touched)
	$rt ip netns exec "$tag-n$i" unshare -m --propagation private sh -c \
		'mount -t tmpfs smpkit-run /run && mount -t tmpfs smpkit-shm /dev/shm &&
		 exec corosync -f -c "$1"' sh \
		"$out/c$i.conf" >>"$out/c$i.log" 2>&1 &
	echo $! >"$out/c$i.pid"
	disown
done

# stamp LINE: the epoch seconds of a corosync log line ("Nov 30 11:57:44.341")
stamp() { date -d "$(echo "$1" | awk '{print $1, $2, $3}')" +%s.%N; }
# first_after FILE T0 PATTERN: seconds from T0 to the first matching line
first_after() {
	local line t
	while read -r line; do
		t=$(stamp "$line")
		[ "$(echo "$t > $2" | bc)" = 1 ] && { printf '%.3f\n' "$(echo "$t - $2" | bc -l)"; return; }
	done < <(grep -F "$3" "$1")
}
full="[QUORUM] Members[$nodes]:"
for ((k = 0; k < 60; k++)); do
	all=1
	for ((i = 0; i < nodes; i++)); do grep -qF "$full" "$out/c$i.log" || all=0; done
	[ $all = 1 ] && break
	sleep 0.5
done
[ $all = 1 ] || { echo "peers: corosync formed no full membership in 30 s"; exit 1; }
echo "peers: corosync, $nodes members, token $to ms"
echo "round cut membership_s quorum_lost_s" >"$out/corosync-report.txt"
fail=0
for ((r = 1; r <= rounds; r++)); do
	c=$(((r - 1) % nodes))
	t0=$(date +%s.%N)
	ip -n "$br" link set "e$c" down
	for ((k = 0; k < 100; k++)); do
		sleep 0.1
		lost=$(first_after "$out/c$c.log" "$t0" "non-primary component")
		mem=
		for ((i = 0; i < nodes; i++)); do
			[ "$i" = "$c" ] && continue
			t=$(first_after "$out/c$i.log" "$t0" "[QUORUM] Members[$((nodes - 1))]:")
			[ -n "$t" ] || { mem=; break; }
			[ -z "$mem" ] || [ "$(echo "$t > $mem" | bc)" = 1 ] && mem=$t
		done
		[ -n "$lost" ] && [ -n "$mem" ] && break
	done
	if [ -n "$lost" ] && [ -n "$mem" ]; then
		echo "peers: round $r: c$c cut off -> the others' membership after $mem s, c$c lost quorum after $lost s"
		echo "$r c$c $mem $lost" >>"$out/corosync-report.txt"
	else
		echo "peers: round $r: no decision within 10 s"; fail=1
	fi
	t1=$(date +%s.%N)
	ip -n "$br" link set "e$c" up
	for ((k = 0; k < 100; k++)); do
		sleep 0.1
		[ -n "$(first_after "$out/c$c.log" "$t1" "$full")" ] && break
	done
	sleep 1
done
exit $fail
