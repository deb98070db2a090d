#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# probes_cli_test: the smpkit CLI's JSON parses and carries the promised
# fields, every probe answers --help, --plot writes a picture, and bad
# input (unknown probe or option, missing CPU, node out of range, zero or
# huge sizes) is refused with a message and a non-zero exit.
bin=$(cd "$(dirname "$0")/../.." && pwd)/bin/smpkit
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/ktap.sh"
[ -x "$bin" ] || ktap_skip_all "$bin is not built"
ktap_plan 41

# json PROBE-ARGS... -- PYTHON-EXPR: the output parses and EXPR holds on j.
json() {
	local args=() expr
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	expr=$2
	"$bin" "${args[@]}" --json >"$tmp/out.json" 2>"$tmp/err" &&
	python3 -m json.tool "$tmp/out.json" >/dev/null &&
	python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($expr) else 1)" "$tmp/out.json"
}
m='all(k in j["machine"] for k in ("kernel","cpu_model","cpus","smt","nodes","vm","tcg","hypervisor","clock"))'

json topo -- "$m and len(j['cpus']) >= 1 and len(j['nodes']) == j['machine']['nodes'] and 'caches' in j"
ok $? "topo --json parses: machine header, cpus, caches, nodes"
json memlat --quick --max 256K -- "$m and len(j['points']) >= 5 and all('kib' in p and 'ns' in p and p['ns'] > 0 for p in j['points']) and 'noise' in j"
ok $? "memlat --json parses: points of {kib, ns}, noise"
json memlat --quick --max 32K -- "all(p['loads'] >= 20000 and p['loads'] * p['ns'] >= 0.375e6 for p in j['points'])"
ok $? "memlat --quick: every batch lasts at least 0.5 ms, small sets too"
json c2c --quick -- "$m and all(k in j['pairs'][0] for k in ('cpu_a','cpu_b','rt_ns','rt_min_ns','spread'))"
ok $? "c2c --json parses: pairs with rt_ns, rt_min_ns, spread"
json locks --quick --threads 1-2 --lock tas,mcs,rcu --duration 20 -- "$m and len(j['locks']) == 4 and len(j['rw']) == 2 and all(r['mops'] > 0 for r in j['locks'])"
ok $? "locks --json parses: locks and rw rows, positive throughput"
json queues --quick --threads 2 --duration 20 -- "$m and len(j['queues']) == 2 and all(r['mops'] > 0 for r in j['queues'])"
ok $? "queues --json parses: sqms and mqms rows"
json memlat --matrix --quick --size 1M -- "$m and len(j['latency']) == j['machine']['nodes']**2 and len(j['bandwidth']) >= 1"
ok $? "memlat --matrix --json parses: latency and bandwidth per node pair"
pages='[n for n in j["notes"] if n.startswith("pages: ") and "% of the" in n and "huge pages" in n]'
json memlat --quick --min 4M --max 4M --hugepages -- "len($pages) == 1 and 'asked for with --hugepages' in $pages[0]"
ok $? "memlat --hugepages says how much of the buffer got huge pages"
json memlat --quick --min 4M --max 4M -- "len($pages) == 1 and 'not asked for' in $pages[0]"
ok $? "memlat without --hugepages says how much got huge pages too"
"$bin" memlat --quick --max 64K --csv >"$tmp/out.csv" 2>/dev/null &&
	grep -q '^kib,ns,' "$tmp/out.csv"
ok $? "memlat --csv has a kib,ns header"

# CLI habits: --version, short options as perf and numactl have them.
"$bin" --version >"$tmp/ver" 2>&1 && grep -Eq '^smpkit [0-9]' "$tmp/ver"
ok $? "smpkit --version: $(head -n 1 "$tmp/ver")"
json memlat -q -j -c 0 -n 0 -r 3 --max 64K -- "$m and len(j['points']) >= 4"
ok $? "memlat -q -c 0 -n 0 -r 3 -j: short options for quick, cpu, node, reps, json"
json c2c -q -j -c 0-1 -r 3 -- "len(j['pairs']) == 1 and 'median of 3 batches' in ' '.join(j['notes'])"
ok $? "c2c -q -c 0-1 -r 3 -j: short options for the CPU list and reps"
json locks -q -j -t 1 -d 5 --lock tas -- "[r['threads'] for r in j['locks']] == [1]"
ok $? "locks -q -t 1 -d 5 -j: short options for threads and duration"
json memlat --matrix -q -s 1M -n 0 -r 70 -d 1 -- "'median of 70 ' in ' '.join(j['notes'])"
ok $? "memlat --matrix -s 1M -n 0 -r 70: every value is the median of --reps (70, past the old cap of 64)"
json topo -- "j['machine'].get('version', '') != ''"
ok $? "JSON names the smpkit version that made it"
json c2c --quick -- "not j['machine']['vm'] or 'outside the VM' in j['noise'].get('scope', '')"
ok $? "in a VM the noise guard says it cannot see outside the VM"
for p in topo memlat c2c locks queues report; do
	"$bin" "$p" --help 2>&1 | grep -q "usage: smpkit $p"
	ok $? "smpkit $p --help prints its usage"
done

if command -v gnuplot >/dev/null; then
	"$bin" memlat --quick --max 64K --plot "$tmp/lat.png" >/dev/null 2>&1 &&
		[ "$(head -c 4 "$tmp/lat.png" | tail -c 3)" = PNG ]
	ok $? "memlat --plot writes a PNG"
else
	skip "gnuplot not installed"
fi

# refuse WHAT ARGS...: non-zero exit and a "smpkit:" message on stderr.
refuse() {
	local what=$1; shift
	"$bin" "$@" >/dev/null 2>"$tmp/err"
	local rc=$?
	[ $rc != 0 ] && grep -q 'smpkit: ' "$tmp/err"
	ok $? "$what is refused (rc $rc: $(head -n 1 "$tmp/err"))"
}
nodes=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
refuse "unknown probe" nosuchprobe
refuse "unknown option" c2c --bogus
refuse "a CPU that does not exist" memlat --cpu 4000
refuse "a CPU list past the machine" c2c --cpus 0-4000
refuse "a malformed CPU list" locks --cpus 3-1
refuse "a node out of range" memlat --node $((nodes + 3))
refuse "a matrix node out of range" memlat --matrix --nodes 0,$((nodes + 3))
refuse "a zero --max" memlat --max 0
refuse "a zero --min" memlat --min 0
refuse "a huge --max" memlat --max 1000T
refuse "a garbage size" memlat --max 12Q
refuse "zero threads" locks --threads 0
refuse "an unknown lock" locks --lock tas,nosuch
refuse "--reps 0" c2c --reps 0
refuse "a zero matrix size" memlat --matrix --size 0
refuse "a --plot without .png/.svg" memlat --plot out.gif
refuse "a stray argument" topo extra
exit $fail
