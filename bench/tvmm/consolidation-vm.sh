#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the VM rig (busybox sh), for consolidation.sh: N busy VMs (one tvmm,
# --vms N) on CPUs 0-1 for SECONDS, under the stock scheduler and under
# wsched-run, alone and with a second tvmm of N idle VMs in the same CPU
# set or group: "mixed", the default in-kernel irqchip (HLT waits in KVM
# for the guest's LAPIC timer), and "mixed-tick", --no-irqchip (each HLT
# exits and tvmm sleeps a tick); REPS runs each. Per run:
# Jain's index of the busy VMs' CPU time (each VM's vCPU thread), the
# smallest and largest share, their total, and the idle VMs' CPU time
# against their wall time (what idle VMs take; the rest they give back).
bin=/smpkit/bin
vms() {	# SCENARIO OUT [OPTION]
	$bin/tvmm run --quiet --vms "$n" --scenario "$1" --iters 100000000 \
		--timeout "$secs" --stats ${3:-} >"$2" 2>/dev/null
}
# "--case busy|mixed|mixed-tick N SECONDS": one run, under whatever
# launched it (a wsched group takes in the processes its command starts).
if [ "$1" = --case ]; then
	n=$3 secs=$4
	vms busy /tmp/busy.out &
	[ "$2" = mixed ] && vms idle /tmp/idle.out &
	[ "$2" = mixed-tick ] && vms idle /tmp/idle.out --no-irqchip &
	wait
	exit 0
fi
n=$1 secs=$2 reps=$3
under() {	# SCHED CASE
	if [ "$1" = wsched ]; then
		$bin/wsched-run --cpus 0-1 --slice 5000 -- sh "$0" --case "$2" "$n" "$secs"
	else
		taskset -c 0-1 sh "$0" --case "$2" "$n" "$secs"
	fi
}
load-kvm >/dev/null || exit 1
[ -e /dev/wsched ] || insmod /smpkit/wsched.ko || exit 1
# One VM held open on CPU 3 keeps KVM's static keys on (vm-rig.rst).
taskset -c 3 $bin/tvmm run --scenario idle --iters 100000000 \
	--timeout 3600 >/dev/null 2>&1 &
hold=$!
sleep 1

# Per VM "cpu_ms wall_ms" of its vCPU 0, from the stats lines.
cputimes() {
	sed -n 's/^stats vm[0-9]* cpu0: .* wall_ms=\([0-9.]*\) cpu_ms=\([0-9.]*\) .*/\2 \1/p' "$1"
}
# "jain min_share max_share total_ms" of the first column.
fair() {
	awk '{ x[NR] = $1; s += $1; q += $1 * $1 }
	END {
		if (!NR || !q) { print "- - - 0"; exit }
		min = max = x[1]
		for (i = 1; i <= NR; i++) {
			if (x[i] < min) min = x[i]
			if (x[i] > max) max = x[i]
		}
		printf "%.3f %.3f %.3f %.0f\n", s * s / (NR * q), min / s, max / s, s
	}'
}

echo "rig: $(nproc) vCPUs (QEMU TCG), kernel $(uname -r); $n busy VMs on CPUs 0-1, $secs s a run"
echo "sched   case        run  jain   min_share max_share busy_cpu_ms  idle_cpu/wall_ms"
for s in stock wsched; do
	for c in busy mixed mixed-tick; do
		r=0
		while [ $r -lt "$reps" ]; do
			r=$((r + 1))
			rm -f /tmp/busy.out /tmp/idle.out
			under $s $c
			idle=-
			[ $c != busy ] && idle=$(cputimes /tmp/idle.out |
				awk '{ c += $1; w += $2 } END { printf "%.0f/%.0f", c, w }')
			set -- $(cputimes /tmp/busy.out | fair)
			printf "%-7s %-11s %3d  %-6s %-9s %-9s %-12s %s\n" \
				$s $c $r "$1" "$2" "$3" "$4" "$idle"
		done
	done
done
kill $hold 2>/dev/null
wait $hold 2>/dev/null
exit 0
