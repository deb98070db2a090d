#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench_test: smpkit-bench's options, scripts/report on canned results
# (tables, targets, pictures), and one short workload (hand-off, one
# repetition) through scripts/bench-vm in the VM rig, about 40 s.
top=$(cd "$(dirname "$0")/../../.." && pwd)
[ -x "$top/scripts/bench-vm" ] || top=$(cd "$(dirname "$0")/../.." && pwd)
bench=$top/build/bin/smpkit-bench
kver=$(cat "${SMPKIT_CACHE:-$HOME/.cache/smpkit}/kernels/6.1/kver" 2>/dev/null)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/ktap.sh"
ktap_plan 8

out=$("$bench" --list 2>&1)
[ $? = 0 ] && [ "$(echo "$out" | wc -l)" = 8 ] && echo "$out" | grep -q "^balance "
ok $? "smpkit-bench --list names the 8 workloads"

"$bench" --only nosuch >/dev/null 2>&1
rc=$?; [ $rc = 1 ]; ok $? "--only with an unknown workload fails (rc $rc)"

# Canned results: two repetitions would not earn a verdict, three do.
cat >"$tmp/canned.txt" <<'TXT'
@meta baseline CFS
@meta machine VM (QEMU TCG: emulated CPUs, timings comparable only within this run)
@workload handoff	Hand-off cost: ping-pong on one CPU	Two threads.
@series handoff cfs cdf pipe_rtt 10 0.5
@series handoff cfs cdf pipe_rtt 20 1
@series handoff wsched cdf pipe_rtt 30 0.5
@series handoff wsched cdf pipe_rtt 40 1
@summary handoff cfs pipe_rtt_p50 us lower 3 10 9 11
@summary handoff wsched pipe_rtt_p50 us lower 3 30 28 31
@summary handoff cfs futex_rtt_p50 us lower 3 10 9 11
@summary handoff wsched futex_rtt_p50 us lower 3 15 10 16
@done 6 runs, 0 skipped
TXT
"$top/scripts/report" "$tmp/canned.txt" "$tmp/canned" 2>/dev/null
md=$tmp/canned/index.md
grep -q '^## Hand-off cost' "$md" &&
	grep -q '^| pipe_rtt_p50 | us, lower is better | 10 \[9–11\] | 30 \[28–31\] | 3.00× worse |' "$md"
ok $? "report: the workload's table with median [min-max] and a verdict"
grep -q 'pipe_rtt_p50 ≤ 2× CFS | .* | \*\*no\*\* |' "$md" &&
	grep -q 'futex_rtt_p50 ≤ 2× CFS | .* | yes |' "$md" && grep -q 'Warning: QEMU TCG' "$md"
ok $? "report: targets checked both ways, TCG warning in the header"
if command -v gnuplot >/dev/null; then
	[ -s "$tmp/canned/handoff-cdf.png" ] && grep -q 'handoff-cdf.png' "$md"
	ok $? "report: the latency CDF picture is drawn and linked"
else
	skip "gnuplot is not installed"
fi

if [ -z "$kver" ] || ! command -v qemu-system-x86_64 >/dev/null ||
   [ ! -f "$top/build/kmod/$kver/module/wsched.ko" ]; then
	for i in 1 2 3; do skip "no VM kernel, qemu or wsched.ko for $kver: make, scripts/deps"; done
	exit $fail
fi
"$top/scripts/bench-vm" --kernel 6.1 --timeout 240 --out "$tmp/vm" \
	-- --only handoff --reps 1 >"$tmp/log" 2>&1
rc=$?; ok $rc "bench-vm runs the hand-off workload in the VM (rc $rc)"
[ $rc = 0 ] || sed 's/^/# /' "$tmp/log" | tail -n 20
grep -q '^@meta baseline CFS' "$tmp/vm/results.txt" &&
	grep -Eq '^@summary handoff wsched pipe_rtt_p50 us lower 1 [0-9.e+]+ ' "$tmp/vm/results.txt" &&
	grep -q '^@done 2 runs, 0 skipped' "$tmp/vm/results.txt"
ok $? "results: metadata, both variants' summaries, and the end marker"
grep -Eq '^\| futex_rtt_p99 \| us, lower is better \| [0-9.]+ .*\| [0-9.]+×' "$tmp/vm/index.md" &&
	grep -q 'hand-off: pipe_rtt_p50' "$tmp/vm/index.md"
ok $? "report of the VM run: the hand-off table with a ratio, and its targets"
exit $fail
