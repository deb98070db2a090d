#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Debug tier only (installed by scripts/check-debug into each area, run
# first with "clear" and last without): the checkers are alive, kmemleak's
# boot-time objects are forgotten; at the end a kmemleak scan, and the
# kernel log searched for each checker's report.
k=/sys/kernel/debug/kmemleak
n=1 rc=0

# lockdep switches itself off after its first report.
lockdep_alive() {
	if [ ! -r /proc/lockdep_stats ]; then
		echo "ok $n # SKIP no lockdep in this kernel"
	elif grep -q 'debug_locks: *1' /proc/lockdep_stats; then
		echo "ok $n lockdep is active (debug_locks 1)"
	else
		echo "not ok $n lockdep turned itself off"
		rc=1
	fi
	n=$((n + 1))
}

if [ "$1" = clear ]; then
	echo "TAP version 13"
	echo "1..3"
	if [ ! -w $k ]; then
		echo "ok 1 # SKIP not the debug kernel (no kmemleak)"
		echo "ok 2 # SKIP not the debug kernel"
		echo "ok 3 # SKIP not the debug kernel"
		exit 4
	fi
	# Early, while the boot messages are still in the ring buffer.
	if dmesg | grep -q 'KernelAddressSanitizer initialized'; then
		echo "ok $n KASAN is active"
	else
		echo "not ok $n KASAN did not initialise"
		rc=1
	fi
	n=$((n + 1))
	lockdep_alive
	echo scan >$k
	echo clear >$k
	echo "ok $n kmemleak: boot-time objects cleared"
	exit $rc
fi

echo "TAP version 13"
echo "1..8"
lockdep_alive
# check NAME REGEX: one case, with the matching log lines as diagnostics.
check() {
	hits=$(dmesg | grep -Ec "$2")
	if [ "$hits" = 0 ]; then
		echo "ok $n no $1 in the kernel log"
	else
		dmesg | grep -E -A 12 "$2" | head -n 60 | sed 's/^/# /'
		echo "not ok $n $1: $hits report lines"
		rc=1
	fi
	n=$((n + 1))
}
check "KASAN report" 'BUG: KASAN|KASAN: '
check "lockdep splat" 'possible (circular|recursive) locking|inconsistent lock state|suspicious RCU usage|lock held when returning|DEBUG_LOCKS_WARN_ON|INFO: lockdep is turned off'
check "sleep in atomic context" 'sleeping function called from invalid context|scheduling while atomic'
check "hung task" 'blocked for more than|hung_task'
check "soft or hard lockup" 'soft lockup|hard LOCKUP|rcu_.*detected stalls'
check "other BUG, WARNING or Oops" 'BUG:|WARNING:|Oops|general protection fault|list_(add|del) corruption'

# A module still loaded keeps its memory referenced: unload it first.
grep -q '^wsched ' /proc/modules && rmmod wsched
if [ ! -w $k ]; then
	echo "ok $n # SKIP not the debug kernel (no kmemleak)"
	exit $rc
fi
# Objects must look unreferenced in two scans some seconds apart.
echo scan >$k
sleep 6
echo scan >$k
leaks=$(grep -c '^unreferenced object' $k)
if [ "$leaks" = 0 ]; then
	echo "ok $n kmemleak: no unreferenced object"
else
	head -n 80 $k | sed 's/^/# /'
	echo "not ok $n kmemleak: $leaks unreferenced objects"
	rc=1
fi
exit $rc
