#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# cluster_node_test: the real daemon on loopback (127.0.0.1 only). A wrong
# configuration is refused with a message; two of three configured nodes
# elect a master; malformed, oversized, foreign and corrupt-disk input
# each get a clear log line while the nodes stay up and keep their
# master; SIGTERM makes a node leave; valgrind finds no error in a node,
# nor ASan/UBSan in two nodes electing a master under their watchdogs
# (when SAN=1 was built).
# A stopped node is killed by its watchdog, a running one is not; the
# fence-kill agent kills the process its pid file names and leaves alone
# one that holds the same pid with another start time (a reused pid).
bin=$(cd "$(dirname "$0")/../.." && pwd)/bin/smpkit-cluster
. "$(dirname "$0")/../lib/ktap.sh"
[ -x "$bin" ] || ktap_skip_all "$bin is not built"
command -v python3 >/dev/null || ktap_skip_all "python3 is needed to forge datagrams"
. "$(dirname "$0")/cllib.sh"
ktap_plan 18

base=$((20000 + $$ % 20000))
peers=127.0.0.1:$base,127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2))

"$bin" node --id 5 --peers "$peers" --disk "$tmp/d" >"$tmp/err" 2>&1
[ $? = 2 ] && grep -q 'names only 3 nodes' "$tmp/err"
ok $? "an id beyond the peers is refused with a message"
"$bin" node --id 0 --peers "$peers" --disk "$tmp/d" --hb 500 --timeout 100 >"$tmp/err" 2>&1
[ $? = 2 ] && grep -q 'must exceed' "$tmp/err"
ok $? "a timeout shorter than the heart beat is refused"
"$bin" node --id 0 --peers 127.0.0.1:x --disk "$tmp/d" >"$tmp/err" 2>&1
[ $? = 2 ] && grep -q 'not IP:PORT' "$tmp/err"
ok $? "a malformed peer is refused"
"$bin" node --id 0 --peers "$peers" --disk "$tmp/d" --standby hot >"$tmp/err" 2>&1
rc=$?
"$bin" node --id 0 --peers "$peers" --disk "$tmp/d" --partitions 2 --standby warm >>"$tmp/err" 2>&1
[ $? = 2 ] && [ $rc = 2 ] && grep -q 'needs --partitions' "$tmp/err" && grep -q "bad value 'warm' for --standby" "$tmp/err"
ok $? "a stand-by mode without partitions, or unknown, is refused"
"$bin" node --id 0 --peers "$peers" --disk "$tmp/d" --watchdog 150 >"$tmp/err" 2>&1
[ $? = 2 ] && grep -q 'watchdog timeout must be at least two heart-beat' "$tmp/err"
ok $? "a watchdog shorter than two heart beats is refused"

# real-time priority where allowed, as the lab and corosync do: on a
# loaded host a node that waits for the CPU longer than its lease steps down
rt=
chrt -r 5 true 2>/dev/null && rt="chrt -r 5"
$rt "$bin" node --id 0 --peers "$peers" --disk "$tmp/d" --format-disk --duration 20 >"$tmp/n0.log" 2>&1 &
pids+=($!)
sleep 0.2
$rt "$bin" node --id 1 --peers "$peers" --disk "$tmp/d" --duration 20 >"$tmp/n1.log" 2>&1 &
pids+=($!)
has_master() {
	grep -qE ' master n[01]$' "$tmp/n0.log" "$tmp/n1.log"
}
for i in $(seq 50); do has_master && break; sleep 0.1; done
has_master
ok $? "two of three nodes elect a master (quorum 2 of 3)"

# forge datagrams from node 2's address (not running) and from a stranger
python3 - "$base" <<'PY'
import socket, sys, struct
base = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", base + 2))
hdr = struct.pack("<HBBIBBBBIQII", 0x5343, 1, 1, 0x534d504b, 2, 0, 0, 0, 1, 1, 1, 0)
s.sendto(b"\x00" * 7, ("127.0.0.1", base))                 # too short
s.sendto(hdr + b"\x00" * 8 + b"x", ("127.0.0.1", base))      # length lies
s.sendto(b"\xff" * 3000, ("127.0.0.1", base))              # oversized
s.sendto(hdr[:8] + b"\x09" + hdr[9:] + b"\x03" + b"\x00" * 7, ("127.0.0.1", base))  # node 9
t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t.sendto(hdr + b"\x00" * 8, ("127.0.0.1", base))           # a stranger
PY
sleep 0.5
grep -q 'bad-input: .* refused: too short' "$tmp/n0.log" &&
	grep -q 'refused: length disagrees' "$tmp/n0.log" &&
	grep -q 'oversized datagram (3000 bytes)' "$tmp/n0.log" &&
	grep -q 'refused: unknown sender' "$tmp/n0.log"
ok $? "short, lying, oversized and unknown-node datagrams each get a log line"
grep -q 'not a configured peer, dropped' "$tmp/n0.log"
ok $? "a datagram from an address outside the configuration is dropped with a line"

# corrupt node 2's slot block on the shared disk (offset 3 * 64)
python3 -c "
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
os.pwrite(fd, b'SCSL' + b'\x02' + b'\xee' * 59, 3 * 64)
" "$tmp/d"
sleep 0.5
grep -q 'corrupt block' "$tmp/n0.log" "$tmp/n1.log"
ok $? "a corrupt voting-disk block is reported"
kill -0 "${pids[0]}" && kill -0 "${pids[1]}" && has_master &&
	! grep -q 'step-down' "$tmp/n0.log" "$tmp/n1.log"
rc=$?
ok $rc "both nodes are still up and the master never stepped down"
[ $rc = 0 ] || grep -h 'step-down\|resumed\|dead\|suspect' "$tmp/n0.log" "$tmp/n1.log" | sed 's/^/# /'

kill -TERM "${pids[1]}"
wait "${pids[1]}"
rc=$?
[ $rc = 0 ] && grep -q 'leaves (signal)' "$tmp/n1.log"
ok $? "SIGTERM: the node announces that it leaves and exits 0"
kill -KILL "${pids[0]}" 2>/dev/null

if command -v valgrind >/dev/null; then
	timeout 60 valgrind -q --error-exitcode=99 --leak-check=full \
		"$bin" node --id 0 --peers "$peers" --disk "$tmp/v" --format-disk \
		--duration 3 >"$tmp/vg.log" 2>&1
	rc=$?
	[ $rc = 0 ]
	ok $? "valgrind: a node runs 3 s without a memory error or leak (exit $rc)"
else
	skip "valgrind is not installed"
fi
# self-fence: a master that loses its quorum stops serving at once
p3=127.0.0.1:$((base + 5)),127.0.0.1:$((base + 6)),127.0.0.1:$((base + 7))
for i in 0 1; do
	$rt "$bin" node --id $i --peers "$p3" --disk "$tmp/f" \
		$([ $i = 0 ] && echo --format-disk) --partitions 2 --standby journal \
		--duration 15 >"$tmp/f$i.log" 2>&1 &
	fp[$i]=$!
	pids+=($!)
	sleep 0.2
done
m=
for i in $(seq 60); do
	m=$(grep -lE ' master n[01]$' "$tmp/f0.log" "$tmp/f1.log" | head -n 1)
	[ -n "$m" ] && grep -q 'serves partition' "$m" && break
	sleep 0.1
done
if [ -n "$m" ]; then
	mi=${m##*/f}; mi=${mi%.log}
	t0=$(date +%s.%N)
	kill -KILL "${fp[$((1 - mi))]}"
	for i in $(seq 40); do
		grep -q 'self-fence' "$m" && [ "$(grep -c 'stops serving partition' "$m")" = "$(grep -c 'serves partition' "$m")" ] && break
		sleep 0.1
	done
	tf=$(awk '/ self-fence / {print $1}' "$m" | tail -n 1)
	grep -q 'step-down (quorum lost)' "$m" && [ -n "$tf" ] &&
		[ "$(grep -c 'stops serving partition' "$m")" = "$(grep -c 'serves partition' "$m")" ]
	ok $? "a master left alone (1 of 3) steps down, self-fences and stops serving its partitions ($(printf %.3f "$(echo "${tf:-$t0} - $t0" | bc -l)") s after its follower died)"
else
	ok 1 "a master left alone self-fences (no master serving within 6 s)"
fi
kill -KILL "${fp[@]}" 2>/dev/null

# the watchdog: a node that runs is left alone, a stopped one is killed
wp=127.0.0.1:$((base + 8))
$rt "$bin" node --id 0 --peers "$wp" --disk "$tmp/w" --format-disk --watchdog 300 \
	--duration 20 >"$tmp/w.log" 2>&1 &
w=$!
pids+=($w)
sleep 1.5
kill -STOP $w
t0=$(date +%s.%N)
for i in $(seq 50); do grep -q 'watchdog: node killed' "$tmp/w.log" && break; sleep 0.1; done
wait $w
rc=$?
tk=$(awk '/watchdog: node killed/ {print $1; exit}' "$tmp/w.log")
dk=$(printf %.3f "$(echo "${tk:-$t0} - $t0" | bc -l)")
sed 's/^/# /' "$tmp/w.log" | grep watchdog
[ $rc = 137 ] && [ -n "$tk" ] && [ "$(grep -c 'watchdog:' "$tmp/w.log")" = 2 ] &&
	[ "$(echo "$dk > 0 && $dk < 0.6" | bc)" = 1 ]
ok $? "the watchdog left the running node alone 1.5 s and killed it ${dk} s after SIGSTOP (300 ms bound, 600 ms allowed)"
sleep 0.3
! pgrep -f -- "--peers $wp " >/dev/null
ok $? "the watchdog ends with its node"

# fence-kill: a pid file whose pid now belongs to another process (the
# start time differs, as after pid reuse) must not kill that process
sleep 30 &
v=$!
pids+=($v)
st=$(sed 's/.*) //' /proc/$v/stat | awk '{print $20}')
printf '%s\n%s\n' $v $((st + 1)) >"$tmp/stale.pid"
"$bin" fence-kill "$tmp/stale.pid" >"$tmp/fk.log" 2>&1
rc=$?
sed 's/^/# /' "$tmp/fk.log"
[ $rc = 0 ] && kill -0 $v && grep -q 'belongs to another process' "$tmp/fk.log"
ok $? "fence-kill leaves a reused pid's process alone and reports the node down"
printf '%s\n%s\n' $v "$st" >"$tmp/live.pid"
"$bin" fence-kill "$tmp/live.pid" >"$tmp/fk.log" 2>&1
rc=$?
wait $v
rw=$?
echo junk >"$tmp/bad.pid"
"$bin" fence-kill "$tmp/bad.pid" >>"$tmp/fk.log" 2>&1
rb=$?
"$bin" fence-kill "$tmp/live.pid" >>"$tmp/fk.log" 2>&1
rg=$?
sed 's/^/# /' "$tmp/fk.log"
[ $rc = 0 ] && [ $rw = 137 ] && [ $rb = 2 ] && [ $rg = 0 ]
ok $? "fence-kill SIGKILLs the process its pid file names (exit $rc, status $rw), refuses a bad file ($rb), and finds it gone after ($rg)"

san=$(cd "$(dirname "$bin")/.." && pwd)/san/bin/smpkit-cluster
if [ -x "$san" ]; then
	p2=127.0.0.1:$((base + 3)),127.0.0.1:$((base + 4))
	"$san" node --id 0 --peers "$p2" --disk "$tmp/s" --format-disk --duration 3 --watchdog 1000 >"$tmp/s0.log" 2>&1 &
	a=$!
	sleep 0.2
	"$san" node --id 1 --peers "$p2" --disk "$tmp/s" --duration 3 --watchdog 1000 >"$tmp/s1.log" 2>&1
	r1=$?
	wait $a
	r0=$?
	[ $r0 = 0 ] && [ $r1 = 0 ] && grep -qE ' master n[01]$' "$tmp/s0.log" "$tmp/s1.log" &&
		! grep -qE 'AddressSanitizer|runtime error' "$tmp/s0.log" "$tmp/s1.log"
	ok $? "ASan+UBSan: two nodes under their watchdogs elect a master and leave cleanly (exit $r0, $r1)"
else
	skip "no ASan build (make SAN=1 userspace)"
fi
exit $fail
