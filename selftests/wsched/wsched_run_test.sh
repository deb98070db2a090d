#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# wsched_run_test (VM rig, busybox sh): wsched-run's exit status with the
# module loaded: CMD's own status, 128+N when signal N ends it, 127 for
# a CMD not found, 126 for one found but not executable, 125 for its own
# failures (a watchdog under two slices, a group the kernel
# refuses), as timeout(1) and env(1) give them; and a group released
# under CMD is reported once.
bin=/smpkit/bin
tmp=/tmp/wsched_run_test
. "$(dirname "$0")/../lib/ktap.sh"
if [ "$(id -u)" != 0 ] || [ ! -f /smpkit/wsched.ko ]; then
	ktap_skip_all "needs root and /smpkit/wsched.ko (runs in the VM rig)"
fi
[ -e /dev/wsched ] || insmod /smpkit/wsched.ko || exit 1
mkdir -p "$tmp"
ktap_plan 12

# status WANT ARGS...: "wsched-run ARGS" exits WANT.
status() {
	want=$1
	shift
	"$bin/wsched-run" "$@" >"$tmp/out" 2>&1
	rc=$?
	[ "$rc" = "$want" ] && return 0
	echo "# wsched-run $*: exit $rc, want $want"
	sed 's/^/#   /' "$tmp/out"
	return 1
}

status 0 --cpus 0-1 -- true
ok $? "CMD exits 0: 0"
status 1 --cpus 0-1 -- sh -c 'exit 1'
ok $? "CMD exits 1: 1 (wsched-run's own failures are 125 now)"
status 42 --cpus 0-1 -- sh -c 'exit 42'
ok $? "CMD exits 42: 42"
status 143 --cpus 0-1 -- sh -c 'kill -TERM $$'
ok $? "CMD killed by SIGTERM: 128+15"
status 127 --cpus 0-1 -- "$tmp/no-such-program"
ok $? "CMD not found (a path): 127"
status 127 --cpus 0-1 -- no-such-program-in-path
ok $? "CMD not found in PATH: 127"
printf '#!/bin/sh\nexit 0\n' >"$tmp/noexec"
chmod 644 "$tmp/noexec"
status 126 --cpus 0-1 -- "$tmp/noexec"
ok $? "CMD found but not executable: 126"
status 126 --cpus 0-1 -- "$tmp"
ok $? "CMD is a directory: 126"
# Refused before /dev/wsched is opened; the module refuses it as well.
status 125 --cpus 0-1 --slice 100000 --watchdog 50 -- true &&
	grep -q "under two slices" "$tmp/out"
ok $? "a watchdog under two slices: 125, said so"
# CPU 1000 is not online here: the create ioctl says EINVAL.
status 125 --cpus 1000 -- true
ok $? "a group the kernel refuses (CPU 1000): 125"
# The group's last CPU goes offline under a running CMD: wsched-run says
# so, once, on stderr, and CMD runs on to its own end.
cpu3=/sys/devices/system/cpu/cpu3/online
if [ -w "$cpu3" ] && echo 1 >"$cpu3"; then
	"$bin/wsched-run" --cpus 3 -- sleep 3 >"$tmp/out" 2>&1 &
	wr=$!
	sleep 1
	echo 0 >"$cpu3"
	wait $wr
	rc=$?
	echo 1 >"$cpu3"
	n=$(grep -c "released to the stock scheduler: its last online CPU" "$tmp/out")
	[ "$rc" = 0 ] && [ "$n" = 1 ]
	ok $? "the group released under CMD: said once on stderr ($n lines), CMD's status kept ($rc)"
else
	skip "CPU 3 cannot be taken offline here"
fi
# The program sees the group's CPUs though each member is pinned to one
# (a return probe on sched_getaffinity; kernels without kprobes skip).
if grep -q "^getaffinity_probe 1" /sys/kernel/debug/wsched/counters; then
	n=$("$bin/wsched-run" --cpus 0-3 -- nproc 2>"$tmp/out")
	m=$("$bin/wsched-run" --cpus 0-3 -- sh -c 'nproc & wait')
	[ "$n" = 4 ] && [ "$m" = 4 ]
	ok $? "wsched-run --cpus 0-3 -- nproc prints 4, from a forked child too ($n, $m)"
else
	skip "this kernel has no kprobes: members see their pinned CPU"
fi
rm -rf "$tmp"
exit $fail
