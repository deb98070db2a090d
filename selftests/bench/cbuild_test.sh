#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# cbuild_test: smpkit-cbuild builds its generated project with make and
# tcc and checks what it built; a compiler that fails, miscompiles or is
# missing is an error, never a time. In the VM rig (one boot, about a
# minute): the programs workload times cbuild under both variants,
# reports a failing build as not counted, and skips cbuild without tcc.
top=$(cd "$(dirname "$0")/../../.." && pwd)
[ -x "$top/scripts/vm-run" ] || top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/bin
kver=$(cat "${SMPKIT_CACHE:-$HOME/.cache/smpkit}/kernels/6.1/kver" 2>/dev/null)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/ktap.sh"
tcc=$(command -v tcc) mk=$(command -v make)
[ -n "$tcc" ] && [ -n "$mk" ] ||
	ktap_skip_all "no tcc or make on this machine: scripts/deps installs them"
ktap_plan 11

# A small project (6 files): the checks, not the time, are under test.
work=$tmp/work
mkdir -p "$work"
cb() { TMPDIR=$work "$bin/smpkit-cbuild" --files 6 "$@" >"$tmp/out" 2>&1; }
said() { grep -q -- "$1" "$tmp/out" || { tail -n 20 "$tmp/out" | sed 's/^/# /'; false; }; }
timed() { grep -Eq '^Total time: [0-9]+\.[0-9]+ s$' "$tmp/out"; }

cb
rc=$?; [ $rc = 0 ] && timed && said 'as the generator computed'
ok $? "builds with make -j4 and tcc, its program prints what the generator computed (rc $rc)"

SMPKIT_CBUILD_CC=/bin/false cb
rc=$?; [ $rc = 1 ] && ! timed && said 'the build failed'
ok $? "a compiler that fails: exit 1, no time (rc $rc)"

# tcc on sources with every "...UL;" constant changed: a build that
# succeeds and runs, but computes something else.
cat >"$tmp/badcc" <<SH
#!/usr/bin/env bash
src=\${!#}
[[ \$src == *.c ]] || exec "$tcc" "\$@"
sed 's/UL;/UL ^ 2UL;/' "\$src" >"\${src%.c}-bad.c"
exec "$tcc" "\${@:1:\$#-1}" "\${src%.c}-bad.c"
SH
chmod +x "$tmp/badcc"
SMPKIT_CBUILD_CC=$tmp/badcc cb
rc=$?; [ $rc = 1 ] && ! timed && said 'a wrong build'
ok $? "a compiler that miscompiles: exit 1 'a wrong build', no time (rc $rc)"

SMPKIT_CBUILD_CC=$tmp/nosuch cb
rc=$?; [ $rc = 4 ] && said 'is not an executable'
ok $? "a compiler named but missing: exit 4 with its name (rc $rc)"

if [ -e /extra/tcc ]; then
	skip "this machine has /extra/tcc"
else
	PATH=$tmp/empty cb
	rc=$?; [ $rc = 4 ] && said 'no tcc in /extra or on PATH'
	ok $? "no tcc anywhere: exit 4, scripts/deps named (rc $rc)"
fi

"$bin/smpkit-cbuild" --files 0 >"$tmp/out" 2>&1
rc1=$?
"$bin/smpkit-cbuild" --nosuch >/dev/null 2>&1
rc2=$?
[ $rc1 = 1 ] && said "'0' is not 1..999" && [ $rc2 = 2 ]
ok $? "bad options: --files 0 (rc $rc1), an unknown one (rc $rc2)"

left=$(ls -A "$work")
[ -z "$left" ]
ok $? "no project folder left behind, failed builds included ($left)"

"$bin/smpkit-bench" --programs cbuild,nosuch >"$tmp/out" 2>&1
rc=$?; [ $rc = 1 ] && said "'nosuch' is not one of .*cbuild"
ok $? "smpkit-bench --programs with an unknown program fails, naming them (rc $rc)"

if [ -z "$kver" ] || ! command -v qemu-system-x86_64 >/dev/null ||
   [ ! -f "$top/build/kmod/$kver/module/wsched.ko" ]; then
	for i in 1 2 3; do skip "no VM kernel, qemu or wsched.ko for $kver: make, scripts/deps"; done
	exit $fail
fi
# One boot: both variants, then a failing compiler, then no tcc at all.
cat >"$tmp/cbuild-guest.sh" <<'SH'
b="/smpkit/bin/smpkit-bench --only programs --programs cbuild --reps 1"
insmod /smpkit/wsched.ko || exit 1
$b 2>&1 | sed 's/^/good: /'
SMPKIT_CBUILD_CC=/bin/false $b --baseline-only 2>&1 | sed 's/^/bad: /'
rm /extra/tcc
$b --baseline-only 2>&1 | sed 's/^/gone: /'
SH
"$top/scripts/vm-run" --kernel 6.1 --timeout 300 --add "$tcc" --add "$mk" \
	--add "$tmp/cbuild-guest.sh" -- sh /extra/cbuild-guest.sh 2>&1 |
	tr -d '\r' >"$tmp/vm"
rc=${PIPESTATUS[0]}
cp "$tmp/vm" "$tmp/out"
for v in cfs wsched; do
	grep -Eq "^good: @summary programs $v cbuild_time s lower 1 [0-9.e+-]+ " "$tmp/vm" || false
done && said '^good: @summary programs wsched cbuild_ctx_switches '
ok $? "in the VM, cbuild is timed plainly and under wsched-run (rc $rc)"
said '^bad: @note programs cfs cbuild exited with status 0x100, not counted' &&
	! grep -q '^bad: @sample programs cfs cbuild_time' "$tmp/vm"
ok $? "in the VM, a failing compiler is reported and not counted as a time"
said '^gone: @note programs cfs cbuild: tcc not found in this machine, skipped'
ok $? "in the VM, without tcc cbuild is skipped with a note"
exit $fail
