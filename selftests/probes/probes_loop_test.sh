#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# probes_loop_test: the measured loops carry no overhead of the harness.
# In the disassembly of smpkit, each lock's loop (lock_loop.h's template
# instantiated in lock_table.c) has the lock's own atomic inlined and
# makes no indirect call and no call into our code -- only to libc or
# liburcu (pthread locks, setup) -- and the measured RCU and rwlock
# readers call neither the torn-record checker nor anything of ours.
# Before, every acquisition went through two lock_ops function pointers
# and team_stopping() was a call: 1.4-1.8 ns on every lock number.
bin=$(cd "$(dirname "$0")/../.." && pwd)/bin/smpkit
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/ktap.sh"
[ -x "$bin" ] || ktap_skip_all "$bin is not built"
command -v objdump >/dev/null || ktap_skip_all "objdump (binutils) is not installed"
[ "$(uname -m)" = x86_64 ] || ktap_skip_all "the instruction checks are x86-64's"
objdump -d --no-show-raw-insn "$bin" >"$tmp/dis" || ktap_skip_all "objdump failed"
ktap_plan 8

# body FUNCTION: its instructions (empty when there is no such function).
body() {
	awk -v f="<$1>:" '$2 == f { p = 1; next } p && /^$/ { exit } p' "$tmp/dis"
}

# lean FUNCTION INSN-REGEX: present, INSN inside, calls only to @plt or die.
lean() {
	local b bad
	b=$(body "$1")
	[ -n "$b" ] || { echo "# no function $1" >&2; return 1; }
	bad=$(grep -E '\s(call|jmp)\s' <<<"$b" | grep -vE '@plt>|<die>' |
		grep -E 'call|jmp\s+\*' || true)
	[ -z "$bad" ] || { echo "# $1: $bad" >&2; return 1; }
	[ -z "$2" ] || grep -qE "$2" <<<"$b"
}

lean tas_loop '\sxchg\s'
ok $? "tas: the exchange is in the loop, no call per acquisition"
lean ttas_loop '\sxchg\s'
ok $? "ttas: the exchange is in the loop, no call per acquisition"
lean ticket_loop 'lock xadd'
ok $? "ticket: the fetch-and-add is in the loop, no call per acquisition"
lean mcs_loop 'cmpxchg'
ok $? "mcs: exchange and compare-exchange in the loop, no call per acquisition"
lean pmutex_loop 'pthread_mutex_lock@plt'
ok $? "mutex: pthread_mutex_lock called directly, nothing else of ours"
lean pspin_loop 'pthread_spin_lock@plt'
ok $? "spin: pthread_spin_lock called directly, nothing else of ours"
lean rcu_reader ''
ok $? "rcu: the measured reader calls no checker (only liburcu's slow paths)"
lean rwlock_reader 'pthread_rwlock_rdlock@plt'
ok $? "rwlock: the measured reader calls no checker"
exit $fail
