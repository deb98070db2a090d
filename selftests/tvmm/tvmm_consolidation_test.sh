#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tvmm_consolidation_test (VM rig, busybox sh): consolidation that
# schedules, in short (bench/tvmm/consolidation.sh is the long form).
# Three busy VMs and two idle ones share CPUs 0-1 for 3 s: with the
# in-kernel irqchip an idle VM's HLT waits in KVM for its timer, so the
# idle VMs must burn far less CPU than the busy ones, and less than the
# same idle VMs with --no-irqchip (HLT exits, tvmm sleeps a tick). Under
# wsched-run the busy VMs must share the CPUs fairly (Jain's index).
# Shares of each VM's vCPU thread (CPU over wall time), never times: the
# rig's host is loaded and TCG slows everything, but both alike.
bin=/smpkit/bin

# "--case IDLE_OPTION": 3 busy and (unless IDLE_OPTION is "none") 2 idle
# VMs, each tvmm stopped by its --timeout (exit 3), under whatever
# launched it; the exit codes go to rc.busy and rc.idle.
if [ "${1:-}" = --case ]; then
	t=$2
	"$bin/tvmm" run --quiet --vms 3 --scenario busy --iters 100000000 \
		--timeout 3 --stats >"$t/busy" 2>&1 &
	b=$!
	if [ "$3" != none ]; then
		"$bin/tvmm" run --quiet --vms 2 --scenario idle \
			--iters 100000000 --timeout 3 --stats $3 >"$t/idle" 2>&1
		echo $? >"$t/rc.idle"
	fi
	wait $b
	echo $? >"$t/rc.busy"
	exit 0
fi

tmp=/tmp/tvmm_consol.$$
. "$(dirname "$0")/../lib/ktap.sh"
if [ "$(id -u)" != 0 ] || [ ! -x "$bin/load-kvm" ]; then
	ktap_skip_all "needs root and the VM rig's load-kvm"
fi
if ! "$bin/load-kvm" >/dev/null 2>&1; then
	ktap_skip_all "kvm-amd does not load here (no SVM in this guest)"
fi
# Without the module (not built for this kernel) the wsched half SKIPs.
ws=
[ -e /dev/wsched ] || [ ! -f /smpkit/wsched.ko ] ||
	insmod /smpkit/wsched.ko || exit 1
[ -e /dev/wsched ] && ws=1
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
ktap_plan 5

# "cpu/wall" of each VM's vCPU 0, one line each, from FILE's stats.
shares() {
	sed -n 's/^stats vm[0-9]* cpu0: .* wall_ms=\([0-9.]*\) cpu_ms=\([0-9.]*\) .*/\2 \1/p' "$1" |
		awk '$2 > 0 { printf "%.4f\n", $1 / $2 }'
}
mean() { awk '{ s += $1 } END { printf "%.4f\n", NR ? s / NR : 0 }'; }
count() { shares "$1" | wc -l; }

run() {	# DIR SCHED IDLE_OPTION
	mkdir -p "$1"
	if [ "$2" = wsched ]; then
		"$bin/wsched-run" --cpus 0-1 --slice 5000 --stats -- \
			sh "$0" --case "$1" "$3" >"$1/wsched" 2>&1
	else
		taskset -c 0-1 sh "$0" --case "$1" "$3"
	fi
}

run "$tmp/irq" stock ""
run "$tmp/tick" stock --no-irqchip
[ -n "$ws" ] && run "$tmp/ws" wsched none
for d in irq tick ws; do
	for f in busy idle wsched; do
		[ -f "$tmp/$d/$f" ] && sed "s/^/# $d $f: /" "$tmp/$d/$f" |
			grep -E ': (stats vm[0-9]* cpu|wsched group|tvmm:)'
	done
done

rc=$(cat "$tmp/irq/rc.busy" "$tmp/irq/rc.idle" 2>/dev/null | tr '\n' ' ')
[ "$rc" = "3 3 " ] && [ "$(count "$tmp/irq/busy")" = 3 ] &&
	[ "$(count "$tmp/irq/idle")" = 2 ]
ok $? "3 busy and 2 idle VMs on CPUs 0-1 ran until their --timeout (exits: $rc)"

busy=$(shares "$tmp/irq/busy" | mean)
idle=$(shares "$tmp/irq/idle" | mean)
awk -v b="$busy" -v i="$idle" 'BEGIN { exit !(b > 0 && i < b / 3) }'
ok $? "idle VMs with the irqchip burn under a third of a busy VM's CPU (shares $idle vs $busy)"

tick=$(shares "$tmp/tick/idle" | mean)
[ "$(count "$tmp/tick/idle")" = 2 ] &&
	awk -v t="$tick" -v i="$idle" 'BEGIN { exit !(i < t) }'
ok $? "idle VMs burn less with the irqchip than with --no-irqchip's HLT exit and tick (shares $idle vs $tick)"

if [ -z "$ws" ]; then
	skip "under wsched-run: no /smpkit/wsched.ko for this kernel"
	skip "Jain's index under wsched-run: no /smpkit/wsched.ko for this kernel"
	exit $fail
fi
rc=$(cat "$tmp/ws/rc.busy" 2>/dev/null)
[ "$rc" = 3 ] && [ "$(count "$tmp/ws/busy")" = 3 ] &&
	! grep -q RELEASED "$tmp/ws/wsched"
ok $? "under wsched-run: 3 busy VMs ran until their --timeout, the group was not released (exit ${rc:-none})"

jain=$(shares "$tmp/ws/busy" |
	awk '{ s += $1; q += $1 * $1 } END { printf "%.3f\n", q ? s * s / (NR * q) : 0 }')
awk -v j="$jain" 'BEGIN { exit !(j >= 0.8) }'
ok $? "under wsched-run the 3 busy VMs share 2 CPUs fairly: Jain's index $jain >= 0.8"
exit $fail
