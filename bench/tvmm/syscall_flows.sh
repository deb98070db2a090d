#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Benchmark of tvmm's two system call flows (direct int 0x80 vs
# trap-and-forward through the VMM) against a native getpid, and of the
# demand-zero hint, on the host's /dev/kvm and in the VM rig (kvm-amd with
# npt=1 and npt=0). Not part of make check. usage: bench/tvmm/syscall_flows.sh [ITERS]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
iters=${1:-2000}
echo "== host ($(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
"$top/build/bin/tvmm" bench --iters "$iters" || echo "host: tvmm bench exited $?"
echo "== VM rig (QEMU TCG, -cpu max,la57=off, nested SVM)"
"$top/scripts/vm-run" --timeout 600 -- sh -c "
for m in npt=1 npt=0; do
	echo \"-- kvm-amd \$m\"
	load-kvm \$m && /smpkit/bin/tvmm bench --iters $iters
done"
