#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# cluster_fence_test: the QEMU fence agent against a real QEMU (-machine
# none: no guest, only the monitor) and against sockets that are not
# what they claim. fence-qemu must confirm what it did: a reset by QEMU's
# RESET event (the VM still runs), an off by the QEMU process gone; a
# missing socket, a regular file, a socket that is not QMP, one that
# refuses the command and one that accepts quit but does not exit each
# give a one-line reason, a non-zero exit, and return within the wait.
# A tvmm VM is a process: fence-kill on its pid file is its power switch
# (needs /dev/kvm, SKIP without it).
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/bin/smpkit-cluster
. "$(dirname "$0")/../lib/ktap.sh"
[ -x "$bin" ] || ktap_skip_all "$bin is not built"
. "$(dirname "$0")/cllib.sh"
ktap_plan 8

ms() { echo $(($(date +%s%N) / 1000000)); }
# await PATH: until the socket PATH exists (5 s at most)
await() {
	local i
	for i in $(seq 50); do [ -S "$1" ] && return 0; sleep 0.1; done
	return 1
}
# gone PID: the process exited (a zombie of ours counts: it runs nothing)
gone() {
	[ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}
# agent RC-FILE ARGS...: run fence-qemu, its output in $tmp/out, its
# exit status and its time in ms in RC-FILE
agent() {
	local f=$1 t0 rc
	shift
	t0=$(ms)
	"$bin" fence-qemu "$@" >"$tmp/out" 2>&1
	rc=$?
	echo "$rc $(($(ms) - t0))" >"$f"
}

qemu=$(command -v qemu-system-x86_64)
if [ -z "$qemu" ]; then
	skip "QEMU resets: qemu-system-x86_64 is not installed (scripts/deps)"
	skip "QEMU off: qemu-system-x86_64 is not installed (scripts/deps)"
else
	"$qemu" -machine none -nodefaults -display none \
		-qmp "unix:$tmp/vm0.qmp,server=on,wait=off" >"$tmp/qemu.log" 2>&1 &
	q=$!
	pids+=($q)
	await "$tmp/vm0.qmp"
	agent "$tmp/rc" --action reset "$tmp/vm0.qmp"
	read -r rc t <"$tmp/rc"
	[ "$rc" = 0 ] && grep -q 'RESET event' "$tmp/out" && ! gone $q
	ok $? "a reset is confirmed by QEMU's RESET event and the VM runs on (exit $rc, $t ms)"
	# as a node's --fence-cmd calls it: the node id appended
	agent "$tmp/rc" "$tmp/vm%d.qmp" 0
	read -r rc t <"$tmp/rc"
	[ "$rc" = 0 ] && grep -q 'the VM is off' "$tmp/out" && gone $q
	ok $? "off, called as 'fence-qemu $tmp/vm%d.qmp 0', returns only once QEMU is gone (exit $rc, $t ms)"
fi

agent "$tmp/rc" "$tmp/none.qmp"
read -r rc t <"$tmp/rc"
: >"$tmp/plain"
agent "$tmp/rc2" --wait 1000 "$tmp/plain"
read -r rc2 t2 <"$tmp/rc2"
[ "$rc" = 1 ] && [ "$rc2" = 1 ] && [ "$(wc -l <"$tmp/out")" = 1 ] &&
	grep -q 'cannot connect' "$tmp/out"
ok $? "a missing socket ($rc) and a regular file ($rc2) are refused with one line: $(cat "$tmp/out")"

"$bin" fence-qemu --action halt "$tmp/x" >"$tmp/out" 2>&1
rc=$?
"$bin" fence-qemu "$tmp/x" 3 >>"$tmp/out" 2>&1
rc2=$?
[ "$rc" = 2 ] && [ "$rc2" = 2 ] && grep -q "unknown action 'halt'" "$tmp/out" &&
	grep -q "needs a node id and a '%d'" "$tmp/out"
ok $? "an unknown action, or a TARGET without '%d' in the path, is bad usage (exit 2)"

# fake monitors, each for one connection: MODE is what it does wrong
fake() {
	python3 - "$1" "$2" <<'PY' &
import os, socket, sys, time
path, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(1)
s.settimeout(10)
try:
	c, _ = s.accept()
except socket.timeout:
	sys.exit(0)
f = c.makefile("rwb")
if mode == "ssh":
	f.write(b"SSH-2.0-OpenSSH_9.2\r\n"); f.flush()
elif mode in ("refuse", "linger"):
	f.write(b'{"QMP": {"version": {}, "capabilities": []}}\r\n'); f.flush()
	f.readline()
	f.write(b'{"return": {}, "id": "smpkit-qmp_capabilities"}\r\n'); f.flush()
	f.readline()
	if mode == "refuse":
		f.write(b'{"error": {"class": "GenericError", "desc": "no"}, "id": "smpkit-quit"}\r\n')
	else:
		f.write(b'{"return": {}, "id": "smpkit-quit"}\r\n')
	f.flush()
# hold the connection until the agent lets go
c.settimeout(10)
try:
	while c.recv(4096):
		pass
except OSError:
	pass
PY
	pids+=($!)
	await "$1"
}

if ! command -v python3 >/dev/null; then
	skip "python3 is needed for the fake monitors"
	skip "python3 is needed for the fake monitors"
	skip "python3 is needed for the fake monitors"
else
	fake "$tmp/ssh.sock" ssh
	agent "$tmp/rc" --wait 1000 "$tmp/ssh.sock"
	read -r rc t <"$tmp/rc"
	fake "$tmp/mute.sock" mute
	agent "$tmp/rc2" --wait 1000 "$tmp/mute.sock"
	read -r rc2 t2 <"$tmp/rc2"
	[ "$rc" = 1 ] && [ "$rc2" = 1 ] && grep -q 'no QMP greeting' "$tmp/out" &&
		[ "$t2" -ge 900 ] && [ "$t2" -lt 4000 ]
	ok $? "a socket that is not QMP (exit $rc, $t ms) or says nothing (exit $rc2 after $t2 ms of a 1000 ms wait) is refused"
	fake "$tmp/refuse.sock" refuse
	agent "$tmp/rc" --wait 1000 "$tmp/refuse.sock"
	read -r rc t <"$tmp/rc"
	[ "$rc" = 1 ] && grep -q 'QEMU refused quit' "$tmp/out"
	ok $? "a monitor that refuses quit: exit $rc, '$(cat "$tmp/out")'"
	fake "$tmp/linger.sock" linger
	agent "$tmp/rc" --wait 1000 "$tmp/linger.sock"
	read -r rc t <"$tmp/rc"
	[ "$rc" = 1 ] && grep -q 'still runs' "$tmp/out" && [ "$t" -lt 4000 ]
	ok $? "quit accepted by a monitor whose process does not exit is no confirmation (exit $rc after $t ms)"
fi

# tvmm: a VM that is a process; its power switch is fence-kill
tvmm=$root/bin/tvmm
if [ ! -c /dev/kvm ] || [ ! -x "$tvmm" ]; then
	skip "a tvmm VM powered off by fence-kill: needs /dev/kvm and $tvmm"
else
	# a guest that spins for ever: only its power switch or --timeout ends it
	"$tvmm" run --scenario runaway --timeout 30 --quiet >"$tmp/tvmm.log" 2>&1 &
	v=$!
	pids+=($v)
	sleep 0.5
	if gone $v; then
		skip "a tvmm VM powered off by fence-kill: tvmm did not run here ($(head -n 1 "$tmp/tvmm.log"))"
	else
		echo "$v" >"$tmp/tvmm.pid"
		sed 's/.*) //' "/proc/$v/stat" | awk '{print $20}' >>"$tmp/tvmm.pid"
		"$bin" fence-kill "$tmp/tvmm.pid" >"$tmp/out" 2>&1
		rc=$?
		[ "$rc" = 0 ] && gone $v
		ok $? "a tvmm VM (a spinning guest) is powered off by fence-kill on its pid file (exit $rc)"
	fi
fi
exit $fail
