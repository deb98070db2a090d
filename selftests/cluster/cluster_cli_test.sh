#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# cluster_cli_test: smpkit-cluster answers --help truthfully, refuses bad
# input with a message and a non-zero exit, passes clean seeds, fails a
# broken variant with a replay line, and that replay reproduces the
# failure and the whole trace exactly.
bin=$(cd "$(dirname "$0")/../.." && pwd)/bin/smpkit-cluster
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/ktap.sh"
[ -x "$bin" ] || ktap_skip_all "$bin is not built"
ktap_plan 13

"$bin" --help >"$tmp/out" 2>&1 && grep -q 'sim ' "$tmp/out"
ok $? "--help exits 0 and lists sim"
"$bin" sim --help >"$tmp/out" 2>&1 && grep -q -- '--nemesis' "$tmp/out" &&
	grep -q partition "$tmp/out"
ok $? "sim --help lists the options and the fault names"
"$bin" frobnicate >"$tmp/out" 2>&1
[ $? = 2 ] && grep -q "unknown command" "$tmp/out"
ok $? "an unknown command is refused with exit 2"

refuse() {
	local what=$1; shift
	"$bin" sim "$@" >"$tmp/out" 2>&1
	[ $? != 0 ] && grep -q -e "$what" "$tmp/out"
}
refuse '--nodes' --nodes 0
ok $? "sim --nodes 0 is refused and names the option"
refuse 'unknown fault' --nemesis partition,gremlins
ok $? "sim --nemesis with an unknown fault is refused"
refuse 'fence, quorum, suspicion, handover, catchup, lms or watchdog' --broken everything
ok $? "sim --broken with an unknown variant is refused"
refuse 'must exceed --hb' --hb 100 --timeout 50
ok $? "a timeout shorter than the heart beat is refused"
refuse 'unexpected argument' 17
ok $? "a stray argument is refused"

"$bin" sim --seeds 30 --quiet >"$tmp/out" 2>&1 &&
	grep -q '^seeds 30, failed 0' "$tmp/out"
ok $? "30 seeds pass and the summary says so"

"$bin" sim --broken quorum --seeds 50 --quiet >"$tmp/out" 2>&1
rc=$?
line=$(grep -m1 'FAIL' "$tmp/out")
[ $rc = 1 ] && [ -n "$line" ] && echo "$line" | grep -q 'replay:'
ok $? "the quorum N/2 variant fails with exit 1 and a replay line"

seed=$(echo "$line" | sed -n 's/^seed \([0-9]*\):.*/\1/p')
why=$(echo "$line" | sed 's/ (replay.*//')
"$bin" sim --broken quorum --seed "$seed" --seeds 1 >"$tmp/replay" 2>&1
[ $? = 1 ] && grep -qF "$why" "$tmp/replay"
ok $? "replaying seed $seed reproduces the same failure"

"$bin" sim --seed 99 --seeds 1 --trace >"$tmp/t1" 2>&1
"$bin" sim --seed 99 --seeds 1 --trace >"$tmp/t2" 2>&1
grep -v 'events/s' "$tmp/t1" >"$tmp/a"; grep -v 'events/s' "$tmp/t2" >"$tmp/b"
[ "$(wc -l <"$tmp/a")" -gt 10 ] && cmp -s "$tmp/a" "$tmp/b"
ok $? "a seed's trace is identical run to run ($(wc -l <"$tmp/a") lines)"

"$bin" sim --nodes 3 --detector swim --second-channel off --seeds 5 --quiet \
	>"$tmp/out" 2>&1 && grep -q 'failed 0' "$tmp/out"
ok $? "fixed detector and channel options run"
exit $fail
