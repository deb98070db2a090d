#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tvmm_cli_test: tvmm and each subcommand answer --help with the usage on
# stdout and exit 0; no command, an unknown command or option, and a bad
# value are refused with a message and exit 2 (tvmm's usage error).
bin=$(cd "$(dirname "$0")/../.." && pwd)/bin/tvmm
. "$(dirname "$0")/../lib/ktap.sh"
[ -x "$bin" ] || ktap_skip_all "$bin is not built"
ktap_plan 9

"$bin" --help 2>/dev/null | grep -q "^usage: tvmm run"
ok $? "tvmm --help prints the usage"
for c in run xlate bench probe; do
	out=$("$bin" "$c" --help 2>/dev/null)
	rc=$?
	[ "$rc" = 0 ] && grep -q "^usage: tvmm" <<<"$out"
	ok $? "tvmm $c --help prints the usage and exits 0 ($rc)"
done
# refused CMD...: exit 2 with a message on stderr.
refused() {
	local err rc
	err=$("$bin" "$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = 2 ] && [ -n "$err" ]
}
refused
ok $? "no command: exit 2 with the usage"
refused frobnicate
ok $? "unknown command: exit 2 with a message"
refused run --frobnicate
ok $? "unknown option: exit 2 with a message"
refused run --vcpus 0
ok $? "--vcpus 0: exit 2 with a message"
exit $fail
