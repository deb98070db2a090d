#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# peers.sh: our store beside Debian's etcd-server (Raft, linearizable)
# and redis-server (one node, no replication) on this machine, all on
# 127.0.0.1 with their data on /dev/shm (so no row measures the disk).
# Every client is closed loop with the same number of requests in flight
# (--window, 16), puts then gets over 1,000 keys, each request timed from
# its own start:
#   ours   3 nodes, N=3: quorum (R=W=2) and eventual (R=W=1), driven by
#          "smpkit-kv load --window"
#   etcd   3 members, driven by bench/kv/http_load.py (a thin adapter to
#          etcd's JSON gateway: Python, one keep-alive connection per
#          request in flight); gets linearizable, then serializable
#   redis  one server, driven by its own redis-benchmark (-c window):
#          without persistence, then with every write fsync'ed to its
#          append-only file (appendfsync always), as our nodes commit
#          every batch to LMDB before answering
# Each row: the median of --reps runs (3) of --seconds (3) with the range
# of the throughput, p50 and p99 in microseconds; then our quorum mode
# as ratios to etcd and redis. Not a test; prints SKIP for a peer that is
# not installed.
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
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	pids=()
}
trap 'stop_all; rm -rf "$tmp"' EXIT
base=$((30000 + $$ % 10000))

# row NAME CMD...: CMD prints "ops p50 p99" per run; the medians
row() {
	local name=$1 i out
	shift
	: >"$tmp/runs"
	for i in $(seq "$reps"); do
		out=$("$@")
		[ -n "$out" ] && echo "$out" >>"$tmp/runs"
	done
	awk -v n="$name" '
		{ o[NR] = $1; a[NR] = $2; b[NR] = $3 }
		function med(v, m,   i, j, t) {
			for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
				if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
			return v[int((m + 1) / 2)]
		}
		END {
			if (!NR) { printf "%-34s %s\n", n, "no result"; exit }
			lo = hi = o[1]
			for (i = 1; i <= NR; i++) { if (o[i] < lo) lo = o[i]; if (o[i] > hi) hi = o[i] }
			printf "%-36s %8d %14s %8d %8d\n", n, med(o, NR), lo ".." hi, med(a, NR), med(b, NR)
			printf "%s|%d|%d|%d\n", n, med(o, NR), med(a, NR), med(b, NR) >> rows
		}' rows="$tmp/rows" "$tmp/runs"
}

ours() {	# ours R W put|get
	local reads=0
	[ "$3" = get ] && reads=100
	"$bin" load --nodes "$peers" --window "$win" --duration "$secs" \
		--reads $reads --keys $keys --dist uniform --r "$1" --w "$2" 2>&1 |
		awk '/^throughput/ { t = $2 } /^latency/ { print t, $7, $11 }'
}

echo "# kv peers: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(uname -r), $(systemd-detect-virt 2>/dev/null || echo unknown virt), load average $(cut -d' ' -f1 /proc/loadavg)"
echo "# closed loop, $win in flight, $keys keys, median of $reps runs of $secs s; data on /dev/shm"
printf '%-36s %8s %14s %8s %8s\n' "system, operation" "ops/s" "range" "p50 us" "p99 us"

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
# written once before the gets, so that they find values
"$bin" load --nodes "$peers" --window "$win" --duration 1 --reads 0 --keys $keys --dist uniform >/dev/null 2>&1
row "ours quorum R=W=2, put" ours 2 2 put
row "ours quorum R=W=2, get" ours 2 2 get
row "ours eventual R=W=1, put" ours 1 1 put
row "ours eventual R=W=1, get" ours 1 1 get
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
	for _ in $(seq 100); do
		ETCDCTL_API=3 etcdctl --endpoints "$hosts" --dial-timeout 300ms \
			put bench:warm 1 >/dev/null 2>&1 && break
		sleep 0.2
	done
	etcd_run() { python3 "$here/http_load.py" "$@" "$hosts" --window "$win" \
		--seconds "$secs" --keys $keys | awk '{ print $1, $2, $3 }'; }
	python3 "$here/http_load.py" put "$hosts" --window "$win" --seconds 1 --keys $keys >/dev/null
	row "etcd 3 members, put" etcd_run put
	row "etcd 3 members, get (linearizable)" etcd_run get
	row "etcd 3 members, get (serializable)" etcd_run get --serializable
	stop_all
else
	echo "SKIP etcd: etcd-server is not installed"
fi

if command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null; then
	# redis_run PORT set|get: redis-benchmark's own figures (ms -> us)
	redis_run() {
		redis-benchmark -p "$1" -c "$win" -n $((secs * 20000)) -r $keys \
			-t "$2" --csv 2>/dev/null | awk -F'"' 'NR == 2 {
				printf "%d %d %d\n", $4, $10 * 1000, $14 * 1000 }'
	}
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
		for _ in $(seq 50); do redis-cli -p $port ping >/dev/null 2>&1 && break; sleep 0.1; done
		name="redis"
		[ $mode = always ] && name="redis fsync always"
		row "$name, set" redis_run $port set
		row "$name, get" redis_run $port get
		stop_all
	done
else
	echo "SKIP redis: redis-server and redis-tools are not installed"
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
