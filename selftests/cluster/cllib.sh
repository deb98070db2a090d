# SPDX-License-Identifier: GPL-2.0
# Sourced by the cluster's shell tests that start processes: a scratch
# directory $tmp and a list $pids of what they started, both removed on
# any exit (the processes SIGKILLed, then reaped).
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
