#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# peers.sh: our store beside Debian's etcd-server (Raft, linearizable)
# and redis-server (one node, no replication) on this machine, all on
# 127.0.0.1 with their data on /dev/shm (so no row measures the disk).
# One client drives all three, "smpkit-kv load --backend ours|etcd|redis"
# (tools/kv/load/drive.c): closed loop with the same number of requests in
# flight (--window, 16), one connection (ours: one UDP socket) per request
# in flight spread over the servers, puts then gets over the same 1,000
# keys and values, each request timed from its own start into the same
# histogram, nothing retried:
#   ours   3 nodes, N=3: quorum (R=W=2) and eventual (R=W=1), UDP
#   etcd   3 members, its v3 JSON gateway over HTTP/1.1 keep-alive; gets
#          linearizable, then serializable
#   redis  one server, RESP over TCP: without persistence, then with
#          every write fsync'ed to its append-only file (appendfsync
#          always), as our nodes commit every batch to LMDB before
#          answering
# Each row: the median of --reps runs (3) of --seconds (3) with the range
# of the throughput, p50 and p99 in microseconds, and the errors of all
# runs (refusals, timeouts, ...: counted by the client, never retried);
# then our quorum mode as ratios to etcd and redis. Not a test; prints
# SKIP for a peer that is not installed.
#   bench/kv/peers.sh [--reps R] [--seconds S] [--window W]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=$top/build/bin/smpkit-kv
reps=3 secs=3 win=16 keys=1000
while [ $# -gt 0 ]; do
	case "$1" in
	--reps) reps=$2; shift 2 ;;
	--seconds) secs=$2; shift 2 ;;
	--window) win=$2; shift 2 ;;
	-h|--help) sed -n '3,/^[^#]/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "peers.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done
[ -x "$bin" ] || { echo "peers.sh: build first (make userspace)" >&2; exit 1; }
tmp=$(mktemp -d /dev/shm/smpkit-kv-peers.XXXXXX)
pids=()
stop_all() {
	local p
	# each reaped here, so that the shell does not report it killed
	for p in "${pids[@]}"; do { kill -KILL "$p"; wait "$p"; } 2>/dev/null; done
	pids=()
}
trap 'stop_all; rm -rf "$tmp"' EXIT
base=$((30000 + $$ % 10000))

# row NAME CMD...: CMD prints "ops p50 p99 errors" per run; the medians
row() {
	local name=$1 i out
	shift
	: >"$tmp/runs"
	: >"$tmp/errs"
	for i in $(seq "$reps"); do
		out=$("$@")
		[ -n "$out" ] && echo "$out" >>"$tmp/runs"
	done
	awk -v n="$name" '
		{ o[NR] = $1; a[NR] = $2; b[NR] = $3; e += $4 }
		function med(v, m,   i, j, t) {
			for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
				if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
			return v[int((m + 1) / 2)]
		}
		END {
			if (!NR) { printf "%-36s %s\n", n, "no result"; exit }
			lo = hi = o[1]
			for (i = 1; i <= NR; i++) { if (o[i] < lo) lo = o[i]; if (o[i] > hi) hi = o[i] }
			printf "%-36s %8d %14s %8d %8d %6d\n", n, med(o, NR), lo ".." hi, med(a, NR), med(b, NR), e
			printf "%s|%d|%d|%d\n", n, med(o, NR), med(a, NR), med(b, NR) >> rows
		}' rows="$tmp/rows" "$tmp/runs"
	sort "$tmp/errs" | uniq -c |
		sed 's/^ *\([0-9]*\) first error: /#   first error of \1 run(s): /'
}

# drive BACKEND NODES put|get [ARGS...]: one run of the common client,
# "ops p50 p99 errors"
drive() {
	local be=$1 nodes=$2 reads=0
	[ "$3" = get ] && reads=100
	shift 3
	"$bin" load --backend "$be" --nodes "$nodes" --window "$win" \
		--duration "$secs" --reads $reads --keys $keys --dist uniform "$@" 2>&1 |
		awk -v errs="$tmp/errs" '/^load --backend/ { e = $NF }
		     /^first error/ { print >> errs }
		     /^throughput/ { t = $2 } /^latency/ { print t, $8, $12, e }'
}
# warm BACKEND NODES: a second of puts, so that the gets find values;
# retried while the system is still starting (up to 20 times)
warm() {
	local i
	for i in $(seq 20); do
		"$bin" load --backend "$1" --nodes "$2" --window "$win" --duration 1 \
			--reads 0 --keys $keys --dist uniform 2>&1 |
			grep -q '^load --backend.*, errors 0$' && return 0
		sleep 0.5
	done
	echo "# $1 did not answer every request of a warm-up second"
}

echo "# kv peers: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(uname -r), $(systemd-detect-virt 2>/dev/null || echo unknown virt), load average $(cut -d' ' -f1 /proc/loadavg)"
echo "# closed loop, $win in flight, $keys keys, median of $reps runs of $secs s; data on /dev/shm"
printf '%-36s %8s %14s %8s %8s %6s\n' "system, operation" "ops/s" "range" "p50 us" "p99 us" "errors"

peers=
for i in 0 1 2; do peers=$peers${peers:+,}127.0.0.1:$((base + i)); done
for i in 0 1 2; do
	"$bin" node --id $i --peers "$peers" --dir "$tmp/n$i" --duration 600 \
		>/dev/null 2>>"$tmp/log" &
	pids+=($!)
done
for i in 0 1 2; do
	for _ in $(seq 100); do
		"$bin" status --node "127.0.0.1:$((base + i))" --timeout 200 >/dev/null 2>&1 && break
		sleep 0.1
	done
done
warm ours "$peers"
row "ours quorum R=W=2, put" drive ours "$peers" put --r 2 --w 2
row "ours quorum R=W=2, get" drive ours "$peers" get --r 2 --w 2
row "ours eventual R=W=1, put" drive ours "$peers" put --r 1 --w 1
row "ours eventual R=W=1, get" drive ours "$peers" get --r 1 --w 1
stop_all

if command -v etcd >/dev/null; then
	cl=
	for i in 0 1 2; do cl=$cl${cl:+,}e$i=http://127.0.0.1:$((base + 20 + i)); done
	hosts=
	for i in 0 1 2; do
		hosts=$hosts${hosts:+,}127.0.0.1:$((base + 10 + i))
		etcd --name e$i --data-dir "$tmp/etcd$i" \
			--listen-client-urls http://127.0.0.1:$((base + 10 + i)) \
			--advertise-client-urls http://127.0.0.1:$((base + 10 + i)) \
			--listen-peer-urls http://127.0.0.1:$((base + 20 + i)) \
			--initial-advertise-peer-urls http://127.0.0.1:$((base + 20 + i)) \
			--initial-cluster "$cl" --initial-cluster-state new \
			--logger zap --log-outputs stderr >>"$tmp/etcd$i.log" 2>&1 &
		pids+=($!)
	done
	warm etcd "$hosts"
	row "etcd 3 members, put" drive etcd "$hosts" put
	row "etcd 3 members, get (linearizable)" drive etcd "$hosts" get
	row "etcd 3 members, get (serializable)" drive etcd "$hosts" get --serializable
	stop_all
else
	echo "SKIP etcd: etcd-server is not installed"
fi

if command -v redis-server >/dev/null; then
	for mode in none always; do
		port=$((base + 30))
		if [ $mode = none ]; then
			set -- --save "" --appendonly no
		else
			set -- --save "" --appendonly yes --appendfsync always
		fi
		redis-server --port $port --bind 127.0.0.1 --dir "$tmp" "$@" \
			--daemonize no >>"$tmp/redis.log" 2>&1 &
		pids+=($!)
		warm redis "127.0.0.1:$port"
		name="redis"
		[ $mode = always ] && name="redis fsync always"
		row "$name, set" drive redis "127.0.0.1:$port" put
		row "$name, get" drive redis "127.0.0.1:$port" get
		stop_all
	done
else
	echo "SKIP redis: redis-server is not installed"
fi

# ratios of our quorum mode to each peer: throughput, p50, p99
echo
echo "# ours quorum / peer, same operation: throughput, p50 latency, p99 latency"
awk -F'|' '
	{ ops[$1] = $2; p50[$1] = $3; p99[$1] = $4; order[NR] = $1 }
	END {
		for (i = 1; i <= NR; i++) {
			n = order[i]
			if (n ~ /^ours/) continue
			o = n ~ /(put|set)$/ ? "ours quorum R=W=2, put" : "ours quorum R=W=2, get"
			if (!(o in ops) || !ops[n] || !p50[n] || !p99[n]) continue
			printf "%-36s %6.2fx %6.2fx %6.2fx\n", n, ops[o] / ops[n],
				p50[o] / p50[n], p99[o] / p99[n]
		}
	}' "$tmp/rows"
