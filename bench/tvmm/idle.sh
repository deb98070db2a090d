#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Benchmark of idling in a tvmm guest with the in-kernel irqchip: host CPU
# per idle vCPU over ITERS LAPIC timer ticks, the guest halting (sti; hlt)
# against spinning (sti; pause), and how long an IPI takes to wake a
# halted or a spinning vCPU; REPS fresh VMs each, median and spread, all
# in one boot (tvmm idle). On the host's /dev/kvm and in the VM rig
# (kvm-amd with npt=1 and npt=0). Not part of make check.
# usage: bench/tvmm/idle.sh [ITERS [REPS]]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
iters=${1:-50}
reps=${2:-5}
echo "== host ($(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
"$top/build/bin/tvmm" idle --iters "$iters" --reps "$reps" ||
	echo "host: tvmm idle exited $?"
echo "== VM rig (QEMU TCG, -cpu max,la57=off, nested SVM)"
"$top/scripts/vm-run" --timeout 900 -- sh -c "
for m in npt=1 npt=0; do
	echo \"-- kvm-amd \$m\"
	load-kvm \$m && /smpkit/bin/tvmm idle --iters $iters --reps $reps
done"
