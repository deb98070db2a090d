#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# probes_caches_test: topo names real caches on a machine whose sysfs has
# none (this project's host), from hwloc and from CPUID alike, and the
# header's LLC is the largest of them; memlat's "not DRAM" guard fires
# when the working set fits the LLC, and says the LLC is unknown when no
# source names it (SMPKIT_CACHES=none) instead of falling silent.
bin=$(cd "$(dirname "$0")/../.." && pwd)/bin/smpkit
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/ktap.sh"
[ -x "$bin" ] || ktap_skip_all "$bin is not built"
command -v python3 >/dev/null || ktap_skip_all "python3 is not installed"
ktap_plan 9

# json ENV-SOURCE PROBE-ARGS... -- PYTHON-EXPR: parses and EXPR holds on j.
json() {
	local src=$1 args=() expr
	shift
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	expr=$2
	SMPKIT_CACHES=$src "$bin" "${args[@]}" --json >"$tmp/out.json" \
		2>"$tmp/err" &&
	python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($expr) else 1)" "$tmp/out.json"
}
# The caches are real and the header's LLC is the largest data/unified one.
real='len(j["caches"]) >= 2 and all(c["size_kib"] > 0 and c["line"] > 0 for c in j["caches"]) and j["machine"]["llc_bytes"] == 1024 * max(c["size_kib"] for c in j["caches"] if c["type"] != "Instruction")'
notes='" ".join(j["notes"])'

json "" topo -- "$real and j['machine']['llc_source'] in ('hwloc', 'cpuid')"
ok $? "topo: real caches, LLC in the header ($(ls /sys/devices/system/cpu/cpu0/cache >/dev/null 2>&1 && echo sysfs has them || echo sysfs has none))"
json hwloc topo -- "$real and j['machine']['llc_source'] == 'hwloc'"
ok $? "topo, hwloc only: real caches"
if [ "$(uname -m)" = x86_64 ]; then
	json cpuid topo -- "$real and j['machine']['llc_source'] == 'cpuid'"
	ok $? "topo, CPUID only: real caches"
else
	skip "no CPUID on $(uname -m)"
fi
json none topo -- "j['caches'] == [] and j['machine']['llc_bytes'] == 0 and 'no cache information' in $notes"
ok $? "topo, no source: no caches, LLC 0, and a note says so"
SMPKIT_CACHES=bogus "$bin" topo >/dev/null 2>"$tmp/err"
[ $? != 0 ] && grep -q 'SMPKIT_CACHES' "$tmp/err"
ok $? "a bad SMPKIT_CACHES is refused"

# The guard: sets that fit the LLC are not called DRAM.
json "" memlat --quick --max 256K -- "'no pure DRAM point' in $notes"
ok $? "memlat up to 256K: the note says no point is DRAM"
json "" memlat --matrix --quick --size 256K -- "'not DRAM' in $notes"
ok $? "memlat --matrix of 256K: the note says these are cache numbers"
json none memlat --quick --max 64K -- "'LLC size unknown' in $notes"
ok $? "memlat with no LLC known: the note says so"
json none memlat --matrix --quick --size 256K -- "'LLC size unknown' in $notes"
ok $? "memlat --matrix with no LLC known: the note says so"
exit $fail
