#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tvmm_memcheck_test (VM rig, busybox sh): tvmm under valgrind's memcheck
# on a real kvm-amd, so that memcheck sees the KVM paths the host test
# SKIPs on a machine without /dev/kvm: no invalid access, no use of
# uninitialised memory, no definite or indirect leak (--error-exitcode),
# for an SMP demo (all three flows, KVM's statistics), a guest
# that fails with its sibling stopped, and one that touches unmapped
# memory. valgrind comes in beside the tests (tvmm.mk).
here=$(cd "$(dirname "$0")" && pwd)
bin=/smpkit/bin/tvmm
vg=$here/valgrind
. "$here/../lib/ktap.sh"
[ -x "$vg/valgrind.bin" ] && [ -x "$vg/memcheck-amd64-linux" ] ||
	ktap_skip_all "valgrind was not carried in (not installed where this was built)"
[ "$(id -u)" = 0 ] || ktap_skip_all "needs root (runs in the VM rig)"
"/smpkit/bin/load-kvm" >/dev/null 2>&1 ||
	ktap_skip_all "kvm-amd does not load here (not in the VM rig?)"
# ld.so's symbols where valgrind looks for them (the rig's / is a tmpfs).
[ -d "$vg/debug" ] && mkdir -p /usr/lib/debug && cp -r "$vg/debug/." /usr/lib/debug/
ktap_plan 3
out=/tmp/tvmm_memcheck.out
memcheck() {
	VALGRIND_LIB=$vg "$vg/valgrind.bin" -q --error-exitcode=99 \
		--leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect "$@" >"$out" 2>&1
}
# KVM_GET_STATS_FD has no size in its number: valgrind notes it, no error.
show() { grep -v 'noted but unhandled ioctl\|not a known ioctl\|in the valgrind source' "$out" | sed 's/^/# /' | tail -n 30; }
# A valgrind that cannot start also exits 1: what tvmm said must be there.
said() { grep -q "$1" "$out" && ! grep -q '^valgrind: ' "$out"; }

memcheck "$bin" run --vcpus 2 --scenario demo --stats
rc=$?
[ "$rc" = 0 ] && said '^kvm vm0 cpu1:'
r=$?
[ "$r" = 0 ] || show
ok $r "tvmm run --vcpus 2 --stats: memcheck-clean, exit 0, KVM's statistics read ($rc)"

memcheck "$bin" run --vcpus 3 --scenario smp-fail --timeout 60
rc=$?
[ "$rc" = 1 ] && said 'stopped because another vCPU'
r=$?
[ "$r" = 0 ] || show
ok $r "a failing vCPU with two stopped siblings: memcheck-clean, exit 1 ($rc)"

memcheck "$bin" run --scenario unmapped --timeout 20
rc=$?
[ "$rc" = 1 ] && said 'unmapped guest-physical'
r=$?
[ "$r" = 0 ] || show
ok $r "a guest touching unmapped memory: memcheck-clean, exit 1 ($rc)"
rm -f "$out"
exit $fail
