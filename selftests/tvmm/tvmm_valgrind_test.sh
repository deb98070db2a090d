#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tvmm_valgrind_test: tvmm and its abuse test under valgrind's memcheck on
# the host's /dev/kvm: no invalid access, no use of uninitialised memory,
# no definite or indirect leak (--error-exitcode), the cases still pass.
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$here/../.." && pwd)/bin/tvmm
. "$here/../lib/ktap.sh"
command -v valgrind >/dev/null || ktap_skip_all "valgrind is not installed (scripts/deps installs it)"
[ -x "$bin" ] || ktap_skip_all "$bin is not built"
[ -r /dev/kvm ] || ktap_skip_all "no /dev/kvm on this machine"
! ldd "$bin" | grep -q libasan ||
	ktap_skip_all "an ASan build: memcheck cannot run it (the plain build's pass does)"
ktap_plan 3
vg() {
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect "$@"
}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

vg "$bin" run --vms 2 --vcpus 2 --scenario demo --iters 2 >"$out" 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/# /' "$out"
ok $rc "tvmm run --vms 2 --vcpus 2: valgrind-clean, exit 0 ($rc)"

vg "$bin" run --scenario unmapped --timeout 5 >"$out" 2>&1
rc=$?
[ $rc = 1 ] || sed 's/^/# /' "$out"
[ $rc = 1 ]; ok $? "a guest touching unmapped memory: valgrind-clean, exit 1 ($rc)"

vg "$here/tvmm_abuse_test" --cases 16 --rounds 3 >"$out" 2>&1
rc=$?
grep '^#' "$out" | head -n 5
[ $rc = 0 ] || grep -v '^ok' "$out" | sed 's/^/# /' | tail -n 40
ok $rc "tvmm_abuse_test --cases 16 --rounds 3: valgrind-clean, every case passed ($rc)"
exit $fail
