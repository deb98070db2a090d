#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Benchmark of tvmm's system call flows - direct int 0x80, the same int
# 0x80 forwarded through tvmm's trap table, the para-virtual OUT - beside
# a bare exit, REPS times each (median, min, max), with KVM_CAP_SYNC_REGS
# and again with the register ioctls; a native getpid; the demand-zero
# hint with KVM's statistics per page. On the host's /dev/kvm and in the
# VM rig (kvm-amd with npt=1 and npt=0, one boot, RUNS runs each: the
# rig's figures move between runs). Not part of make check.
# usage: bench/tvmm/syscall_flows.sh [ITERS [REPS [RUNS]]]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
iters=${1:-1000}
reps=${2:-5}
runs=${3:-1}
echo "== host ($(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
"$top/build/bin/tvmm" bench --iters "$iters" --reps "$reps" ||
	echo "host: tvmm bench exited $?"
echo "== VM rig (QEMU TCG, -cpu max,la57=off, nested SVM)"
"$top/scripts/vm-run" --timeout 900 -- sh -c "
for m in npt=1 npt=0; do
	echo \"-- kvm-amd \$m\"
	load-kvm \$m || continue
	r=0
	while [ \$r -lt $runs ]; do
		r=\$((r + 1))
		echo \"-- kvm-amd \$m, run \$r\"
		/smpkit/bin/tvmm bench --iters $iters --reps $reps
	done
done"
