#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dkms_load_test (VM rig, busybox sh): the wsched.ko that DKMS built for
# this kernel (pkg/dkms_test.sh leaves it in the build tree) loads, is
# the module the kernel then runs, schedules a program under wsched-run,
# and unloads.
bin=/smpkit/bin
kv=$(uname -r)
ko=$(dirname "$0")/dkms-$kv.ko
. "$(dirname "$0")/../lib/ktap.sh"
[ "$(id -u)" = 0 ] || ktap_skip_all "needs root (runs in the VM rig)"
[ -f "$ko" ] || ktap_skip_all "no DKMS-built module for $kv: the host test pkg/dkms_test.sh makes it (needs dkms)"
ktap_plan 5

# Another test of this boot may have loaded the rig's own build.
[ ! -e /sys/module/wsched ] || rmmod wsched
insmod "$ko"
ok $? "insmod $ko"
# The kernel's copy of the build ID note: 16 bytes of header, then the ID.
want=$(cat "${ko%.ko}.build-id" 2>/dev/null)
got=$(od -An -v -tx1 /sys/module/wsched/notes/.note.gnu.build-id 2>/dev/null |
	tr -d ' \n' | cut -c33-)
[ -n "$want" ] && [ "$got" = "$want" ] && [ -c /dev/wsched ]
ok $? "the running wsched is the DKMS build (build ID $got) and made /dev/wsched"
"$bin/wsched-run" --cpus 0-1 --stats -- sh -c 'i=0; while [ $i -lt 30000 ]; do i=$((i + 1)); done' \
	>/tmp/dkms_load.out 2>&1
rc=$?
[ $rc = 0 ]
ok $? "wsched-run --cpus 0-1 --stats runs a shell loop on it (rc $rc)"
grep -qi 'slice\|cpu' /tmp/dkms_load.out
ok $? "and prints the group's statistics ($(wc -l </tmp/dkms_load.out) lines)"
[ $rc = 0 ] || sed 's/^/# /' /tmp/dkms_load.out | head -n 10
rmmod wsched
ok $? "rmmod wsched"
exit $fail
