#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm_run_test: scripts/vm-run boots the cached kernel, passes the exit
# status through, fails clearly on timeout, boot timeout and a bad
# option, and loads tpkeep.ko before the command.
# Run from selftests/rig/ or from a build tree under the checkout.
top=$(cd "$(dirname "$0")" && pwd)
while [ "$top" != / ] && [ ! -x "$top/scripts/vm-run" ]; do
	top=$(dirname "$top")
done
vm=$top/scripts/vm-run
kver=$(cat "${SMPKIT_CACHE:-$HOME/.cache/smpkit}/kernels/6.1/kver" 2>/dev/null)
. "$(dirname "$0")/../lib/ktap.sh"
if [ -z "$kver" ] || ! command -v qemu-system-x86_64 >/dev/null; then
	ktap_skip_all "no VM kernel or qemu: run scripts/deps"
fi
ktap_plan 7

out=$("$vm" --timeout 120 -- uname -r 2>/dev/null | tr -d '\r')
echo "$out" | grep -qx "$kver"; ok $? "uname -r in the guest prints $kver"

"$vm" --timeout 120 -- sh -c 'exit 3' >/dev/null 2>&1
rc=$?; [ $rc = 3 ]; ok $? "guest exit 3 makes vm-run exit 3 (got $rc)"

err=$("$vm" --timeout 5 -- sleep 60 2>&1 >/dev/null)
rc=$?; [ $rc = 124 ] && echo "$err" | grep -q timeout
ok $? "--timeout 5 -- sleep 60 fails with a timeout message (rc $rc)"

err=$("$vm" --cpus 3 --nodes 2 -- true 2>&1)
rc=$?; [ $rc != 0 ] && echo "$err" | grep -q 'split evenly'
ok $? "3 CPUs on 2 nodes is refused with a reason"

out=$("$vm" --timeout 120 --cpus 2 --nodes 2 -- sh -c 'ls -d /sys/devices/system/node/node* | wc -l; test -d /sys/kernel/debug/tracing || test -d /sys/kernel/debug/sched' 2>/dev/null | tr -d '\r')
rc=$?; [ $rc = 0 ] && echo "$out" | grep -qx 2
ok $? "--nodes 2 gives two NUMA nodes and debugfs is mounted"
# A guest that has not reached its command by --boot-timeout (no guest
# boots in 1 s) is stopped with the boot watchdog's message.
err=$("$vm" --boot-timeout 1 -- true 2>&1 >/dev/null)
rc=$?; [ $rc = 124 ] && echo "$err" | grep -q 'did not reach its command'
ok $? "--boot-timeout 1 stops the guest before its command, saying so (rc $rc)"

# tpkeep.ko, built with the module, is loaded before the command runs.
if [ -f "$top/build/kmod/$kver/module/tpkeep/tpkeep.ko" ]; then
	out=$("$vm" --timeout 120 -- sh -c 'grep -c "^tpkeep " /proc/modules' 2>/dev/null | tr -d '\r')
	echo "$out" | grep -qx 1; ok $? "tpkeep.ko is loaded when the command starts"
else
	skip "tpkeep.ko is not built for $kver (make module)"
fi
exit $fail
