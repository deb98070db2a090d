# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154
# Sourced by the kv tests that run nodes on loopback. kv_begin sets what
# the rest uses: bin (smpkit-kv), tmp (the test's folder), base (the
# first port), peers (the --peers list) and the array pids, one slot per
# node, 0 when none.

. "${BASH_SOURCE[0]%/*}/../lib/ktap.sh"

# kv_begin NODES PLAN SALT [SLOTS]: a test of PLAN checks over NODES nodes
# on 127.0.0.1, ports from 21000 + (pid + SALT) mod 30000 (tests run one
# after another; the salt keeps a rerun off the last one's ports), with
# SLOTS process slots (NODES by default); SKIP when smpkit-kv is not built.
kv_begin() {
	local i
	bin=$(cd "${BASH_SOURCE[0]%/*}/../.." && pwd)/bin/smpkit-kv
	[ -x "$bin" ] || ktap_skip_all "$bin is not built"
	tmp=$(mktemp -d)
	pids=()
	for i in $(seq "${4:-$1}"); do pids+=(0); done
	trap cleanup EXIT
	ktap_plan "$2"
	base=$((21000 + ($$ + $3) % 30000))
	peers=
	for i in $(seq 0 $(($1 - 1))); do peers=$peers${peers:+,}$(at "$i"); done
}

# Ends every node (a stopped one is continued first, so it can die) and
# removes the folder: the EXIT trap of each test.
cleanup() {
	local p
	for p in "${pids[@]}"; do
		[ "$p" != 0 ] && kill -CONT "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$tmp"
}

at() { echo "127.0.0.1:$((base + $1))"; }

# start_node ID [OPTIONS...]: node ID in the background, its log in
# $tmp/nID.log, for at most a minute.
start_node() {
	local id=$1
	shift
	"$bin" node --id "$id" --peers "$peers" --dir "$tmp/n$id" \
		--duration 60 "$@" 2>>"$tmp/n$id.log" &
	pids[id]=$!
}

# Until node (or front end) ID answers status: up to 150 polls of 0.1 s
# plus what each refused or timed-out one costs.
ready() {
	local i
	for i in $(seq 150); do
		"$bin" status --node "$(at "$1")" --timeout 200 >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
