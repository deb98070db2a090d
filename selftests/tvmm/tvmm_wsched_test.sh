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
. "$(dirname "$0")/../lib/ktap.sh"
if [ "$(id -u)" != 0 ] || [ ! -f /smpkit/wsched.ko ]; then
	ktap_skip_all "needs root and /smpkit/wsched.ko (runs in the VM rig)"
fi
if ! "$bin/load-kvm" >/dev/null 2>&1; then
	ktap_skip_all "kvm-amd does not load here (no SVM in this guest)"
fi
[ -e /dev/wsched ] || insmod /smpkit/wsched.ko || exit 1
ktap_plan 5

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

ok $rc "tvmm --vms 2 under wsched-run exits 0 ($rc)"
loops=$(grep -c 'busy_loops' "$out")
[ "$loops" -ge 2 ]
ok $? "both VMs ran their busy loop to the end ($loops reports)"
joined=$(sed -n 's/^wsched group [0-9]*: \([0-9]*\) threads joined.*/\1/p' "$out")
[ "${joined:-0}" -ge 3 ]
ok $? "tvmm's main thread and both vCPU threads joined the group (${joined:-none})"
! grep -q 'RELEASED' "$out"
ok $? "the group was not released by its watchdog"
# cpu lines: "cpu dispatch preempt ...": CPUs 0 and 1 both dispatched.
busy=$(awk '$1 ~ /^[01]$/ && $2 > 0 { n++ } END { print n + 0 }' "$out")
[ "$busy" = 2 ]
ok $? "both group CPUs dispatched members ($busy of 2)"
exit $fail
