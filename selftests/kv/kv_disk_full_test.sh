#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kv_disk_full_test: a node whose LMDB map is tiny (--map-kb) runs out of
# room under a write load (commits fail with MDB_MAP_FULL). Every batch
# the disk refuses must still answer its clients and free their slots:
# once the load is over no client may be left waiting, and the node
# still serves what it stored before. 127.0.0.1 only.
bin=$(cd "$(dirname "$0")/../.." && pwd)/bin/smpkit-kv
. "$(dirname "$0")/../lib/ktap.sh"
[ -x "$bin" ] || ktap_skip_all "$bin is not built"
tmp=$(mktemp -d)
pid=0
cleanup() {
	[ "$pid" != 0 ] && kill -KILL "$pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
ktap_plan 4

node=127.0.0.1:$((21000 + ($$ + 7000) % 30000))
"$bin" node --id 0 --peers "$node" --n 1 --dir "$tmp/n" --map-kb 96 \
	--duration 60 2>"$tmp/log" &
pid=$!
for i in $(seq 150); do
	"$bin" status --node "$node" --timeout 200 >/dev/null 2>&1 && break
	sleep 0.1
done
"$bin" put --node "$node" seen yes >/dev/null
ok $? "a write to the node with a 96 KiB map is acknowledged"

# writes of fresh keys (with idempotency keys) fill the map; reads mixed
# in share the batches that fail, so replies are withheld with them. A
# refused commit drops the batch's idempotency records too: kept, they
# made every later batch, reads included, fail while the map was full.
# Replies land in a refused batch by chance (most of a full node's
# requests wait for its own datagrams, which refused batches hold back):
# up to eight rounds, until some did.
withheld() {
	sed -n 's/.*messages and \([0-9]*\) replies withheld$/\1/p' "$tmp/log" |
		awk '{ s += $1 } END { print s + 0 }'
}
for mix in 0 50 50 50 50 50 50 50; do
	"$bin" load --nodes "$node" --rate 2000 --duration 1 --reads $mix \
		--keys 100000 --dist uniform --timeout 1000 >/dev/null 2>&1
	[ "$mix" != 0 ] && [ "$(withheld)" -gt 0 ] && break
done
withheld=$(withheld)
grep -q 'commit failed (MDB_MAP_FULL' "$tmp/log" && [ "$withheld" -gt 0 ]
ok $? "commits failed with MDB_MAP_FULL, $withheld replies in refused batches"

# every request ends within the node's request timeout; allow it twice
for i in $(seq 30); do
	waiting=$("$bin" status --node "$node" |
		sed -n 's/^clients waiting for an answer \([0-9]*\) of.*/\1/p')
	[ "$waiting" = 0 ] && break
	sleep 0.1
done
[ "$waiting" = 0 ]
ok $? "no client slot is left taken after refused commits (${waiting:-?} waiting)"

[ "$("$bin" get --node "$node" seen)" = yes ]
ok $? "the node still answers and serves what it stored before"
exit $fail
