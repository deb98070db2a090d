#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# sig_enforce_test: in the rig, a 6.1 kernel booted with
# module.sig_enforce=1 refuses the unsigned wsched.ko (insmod fails, no
# /dev/wsched), and wsched-run then says in one line that the kernel
# loads signed modules only, with its own exit status 125. Boots once.
. "$(dirname "$0")/pkglib.sh" || exit 1
need_cmd qemu-system-x86_64 qemu-system-x86
cache=${SMPKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smpkit}
kv=$(cat "$cache/kernels/6.1/kver" 2>/dev/null)
[ -n "$kv" ] && [ -f "$build/kmod/$kv/module/wsched.ko" ] ||
	ktap_skip_all "no VM kernel 6.1 or no wsched.ko for it: scripts/deps, make module KERNEL=6.1"
ktap_plan 3

# No tpkeep.ko: it is unsigned too, and this boot loads nothing else.
"$top/scripts/vm-run" --kernel 6.1 --timeout 240 --no-tpkeep \
	--append module.sig_enforce=1 -- sh -c '
	insmod /smpkit/wsched.ko; echo "@insmod $?"
	[ -e /dev/wsched ]; echo "@dev $?"
	/smpkit/bin/wsched-run -- true 2>/tmp/err; echo "@rc $?"
	echo "@err $(cat /tmp/err)"; echo "@lines $(wc -l </tmp/err)"' \
	>"$tmp/out" 2>&1
vrc=$?
field() { tr -d '\r' <"$tmp/out" | sed -n "s/^@$1 //p" | tail -n 1; }
[ "$(field insmod)" != 0 ] && [ -n "$(field insmod)" ] && [ "$(field dev)" = 1 ]
ok $? "sig_enforce=1 refuses the unsigned module (insmod rc '$(field insmod)', vm-run rc $vrc)"
[ "$(field rc)" = 125 ]
ok $? "wsched-run exits 125 (got '$(field rc)')"
[ "$(field lines)" = 1 ] && field err | grep -q 'signed modules only'
ok $? "in one line, saying why: $(field err)"
exit $fail
