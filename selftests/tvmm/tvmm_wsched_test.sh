#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tvmm_wsched_test (VM rig, busybox sh): the two halves of smpkit meet.
# tvmm runs two busy VMs under wsched-run, so its vCPU threads become a
# managed group on CPUs 0-1: the VMs finish, every thread tvmm made joined
# the group, the group was not released by its watchdog and its CPUs
# dispatched and preempted members. An idle VM held beside it keeps KVM's
# static keys on (see "Kernel text patching under TCG" in vm-rig.rst).
bin=/smpkit/bin
out=/tmp/tvmm_wsched.out
echo "TAP version 13"
if [ "$(id -u)" != 0 ] || [ ! -f /smpkit/wsched.ko ]; then
	echo "1..0 # SKIP needs root and /smpkit/wsched.ko (runs in the VM rig)"
	exit 4
fi
if ! "$bin/load-kvm" >/dev/null 2>&1; then
	echo "1..0 # SKIP kvm-amd does not load here (no SVM in this guest)"
	exit 4
fi
[ -e /dev/wsched ] || insmod /smpkit/wsched.ko || exit 1
echo "1..5"
fail=0
ok() {
	if [ "$1" = 0 ]; then echo "ok $2 $3"; else echo "not ok $2 $3"; fail=1; fi
}

"$bin/tvmm" run --scenario idle --iters 100000000 --timeout 300 >/dev/null 2>&1 &
hold=$!
sleep 1
"$bin/wsched-run" --cpus 0-1 --slice 5000 --stats -- \
	"$bin/tvmm" run --vms 2 --scenario busy --iters 3000 --timeout 120 --stats \
	>"$out" 2>&1
rc=$?
kill "$hold" 2>/dev/null
wait "$hold" 2>/dev/null
sed 's/^/# /' "$out"

ok $rc 1 "tvmm --vms 2 under wsched-run exits 0 ($rc)"
n=$(grep -c 'busy_loops' "$out")
[ "$n" -ge 2 ]
ok $? 2 "both VMs ran their busy loop to the end ($n reports)"
joined=$(sed -n 's/^wsched group [0-9]*: \([0-9]*\) threads joined.*/\1/p' "$out")
[ "${joined:-0}" -ge 3 ]
ok $? 3 "tvmm's main thread and both vCPU threads joined the group (${joined:-none})"
! grep -q 'RELEASED' "$out"
ok $? 4 "the group was not released by its watchdog"
# cpu lines: "cpu dispatch preempt ...": CPUs 0 and 1 both dispatched.
busy=$(awk '$1 ~ /^[01]$/ && $2 > 0 { n++ } END { print n + 0 }' "$out")
[ "$busy" = 2 ]
ok $? 5 "both group CPUs dispatched members ($busy of 2)"
exit $fail
