#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The key-value store's page of make run's report (about twelve minutes):
# the long nemesis run (20 seeded rounds on five namespaced nodes, judged
# by the history checker), the scaling curve at 1 to 16 nodes under
# cgroup CPU quotas (with its picture), quorum against eventual mode
# with slow replicas (about two minutes) and the comparison with etcd and
# redis. Writes OUT/kv.md and OUT/kv-scale.png; parts that cannot run
# here say so on the page.
#   report.sh OUT-DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
[ $# = 1 ] || { echo "usage: report.sh OUT-DIR" >&2; exit 2; }
out=$1
mkdir -p "$out"
page=$out/kv.md
seed=${KV_NEMESIS_SEED:-$(( $(date +%s) % 100000 ))}
# section TITLE CMD...: CMD's output as a block (its exit status noted)
section() {
	local title=$1 rc
	shift
	{ echo; echo "## $title"; echo; echo '```'; } >>"$page"
	# bash's notes on the daemons the scripts SIGKILL on purpose go
	"$@" 2>&1 | grep -v '^[^ ]*: line [0-9]*: *[0-9]* Killed ' >>"$page"
	rc=${PIPESTATUS[0]}
	{ echo '```'; [ $rc = 0 ] || echo "(exit status $rc)"; } >>"$page"
}
echo "# smpkit kv" >"$page"
section "Nemesis: 20 random fault rounds, seed $seed" \
	"$here/nemesis.sh" --seed "$seed" --rounds 20
section "Scaling under cgroup CPU quotas (N=1, sent to the owner)" \
	"$top/bench/kv/scale.sh" --n 1 --owners --plot "$out/kv-scale.png"
[ -f "$out/kv-scale.png" ] && echo -e "\n![kv-scale](kv-scale.png)" >>"$page"
section "Quorum against eventual mode, with slow replicas" "$top/bench/kv/modes.sh"
section "Beside etcd and redis" "$top/bench/kv/peers.sh"
echo "kv report: $page" >&2
