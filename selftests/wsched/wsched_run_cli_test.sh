#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# wsched_run_cli_test (host, no module needed): wsched-run's --help
# documents its exit statuses, and its own failures (bad options, a
# cpulist that wraps, a watchdog under two slices, no /dev/wsched)
# exit 125 with a message, not 1 or 2 that a command could exit with too.
bin=$(cd "$(dirname "$0")/../.." && pwd)/bin/wsched-run
. "$(dirname "$0")/../lib/ktap.sh"
[ -x "$bin" ] || ktap_skip_all "$bin is not built"
ktap_plan 9

out=$("$bin" --help 2>/dev/null)
rc=$?
[ "$rc" = 0 ] && grep -q "^  125 " <<<"$out" && grep -q "^  126 " <<<"$out" &&
	grep -q "^  127 " <<<"$out"
ok $? "--help exits 0 and lists statuses 125, 126 and 127 ($rc)"

# refused TEXT ARGS...: wsched-run ARGS exits 125, and stderr has TEXT.
refused() {
	local text=$1 err rc
	shift
	err=$("$bin" "$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = 125 ] && grep -qF -- "$text" <<<"$err" && return 0
	echo "# wsched-run $*: exit $rc, said: ${err##*$'\n'}"
	return 1
}
refused "unrecognized option" --frobnicate -- true
ok $? "an unknown option: 125"
refused "no command given"
ok $? "no command: 125"
refused "--slice" --slice 5 -- true
ok $? "--slice 5 (below the minimum): 125"
refused "--steal: unknown policy" --steal frob -- true
ok $? "an unknown policy: 125"
refused "stride" --cpus 1-1:18446744073709551615 -- true
ok $? "--cpus 1-1:2^64-1 (wrapped to CPUs 0,1 once): 125, the stride named"
refused "under two slices" --slice 1000000 --watchdog 1500 -- true
ok $? "--watchdog 1500 ms with a 1 s slice: 125"
refused "under two slices" --watchdog 10 --slice 20000 -- true
ok $? "--watchdog before --slice is checked against it too: 125"
# A watchdog of two slices passes the check; with no module here, the
# next refusal is the device's.
if [ -e /dev/wsched ]; then
	skip "/dev/wsched exists here: the no-module case needs it absent"
else
	refused "wsched.ko" --slice 20000 --watchdog 40 -- true
	ok $? "no /dev/wsched: 125 (a watchdog of two slices passed)"
fi
exit $fail
