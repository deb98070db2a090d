#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Consolidation that schedules: N busy tvmm VMs share two CPUs, under the
# stock scheduler (taskset) and under wsched-run, REPS times each, alone
# and with N HLT-idle VMs beside them; consolidation-vm.sh does the work
# in the VM rig (the module and kvm-amd load only there). Not part of
# make check. usage: bench/tvmm/consolidation.sh [N [SECONDS [REPS]]]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../../scripts/vm-run" --timeout 1200 \
	--add "$here/consolidation-vm.sh" -- \
	sh /extra/consolidation-vm.sh "${1:-4}" "${2:-4}" "${3:-3}"
