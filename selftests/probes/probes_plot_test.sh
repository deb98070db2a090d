#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# probes_plot_test: --plot never reaches stdout. Every probe that draws
# runs with --json and with --csv and --plot on, first under a fake
# gnuplot that chatters on its stdout and stderr (so the test fails on any
# gnuplot, quiet or not, whose output is folded into ours), then under the
# real one on cases that make it warn (a one-node matrix, a 2-CPU
# heatmap); stdout must parse, and report's text files must hold no
# gnuplot line. The same report's first line names machine and date.
bin=$(cd "$(dirname "$0")/../.." && pwd)/bin/smpkit
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/ktap.sh"
[ -x "$bin" ] || ktap_skip_all "$bin is not built"
command -v python3 >/dev/null || ktap_skip_all "python3 is not installed"

cases=(
	"memlat --quick --max 64K"
	"memlat --matrix --quick --size 1M"
	"c2c --quick"
	"locks --quick --threads 1-2 --lock tas --duration 5"
	"queues --quick --threads 2 --duration 5"
)
ktap_plan $((4 * ${#cases[@]} + 2))

# The fake gnuplot: eats the script, chatters on both streams, draws
# nothing (so smpkit's "wrote FILE" is the real one's business).
mkdir -p "$tmp/fake"
cat >"$tmp/fake/gnuplot" <<'EOF'
#!/bin/sh
echo "fake gnuplot: chatter on stdout"
echo "fake gnuplot: warning on stderr" >&2
cat >/dev/null
EOF
chmod +x "$tmp/fake/gnuplot"

valid_json() {
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null
}

# CSV: '#' lines are comments; after "# table: NAME" comes a header, then
# rows with as many fields as the header. Nothing else may appear.
valid_csv() {
	python3 - "$1" <<'EOF'
import sys
hdr = None
tables = 0
for line in open(sys.argv[1]).read().split("\n")[:-1]:
	if line.startswith("# table: "):
		hdr = None
		tables += 1
	elif line.startswith("#"):
		continue
	elif tables == 0:
		sys.exit("row before any table: %r" % line)
	elif hdr is None:
		hdr = line.split(",")
	elif len(line.split(",")) != len(hdr):
		sys.exit("not a row of %d fields: %r" % (len(hdr), line))
sys.exit(0 if tables else "no table")
EOF
}

# run LABEL PATH-PREFIX ARGS...: one probe with --json, then --csv.
run() {
	local label=$1 path=$2
	shift 2
	PATH=$path$PATH "$bin" "$@" --json --plot "$tmp/p.png" \
		>"$tmp/out.json" 2>"$tmp/err"
	[ $? = 0 ] && valid_json "$tmp/out.json"
	ok $? "$label: smpkit $* --json --plot: stdout is JSON"
	PATH=$path$PATH "$bin" "$@" --csv --plot "$tmp/p.png" \
		>"$tmp/out.csv" 2>"$tmp/err"
	[ $? = 0 ] && valid_csv "$tmp/out.csv" >&2
	ok $? "$label: smpkit $* --csv --plot: stdout is CSV"
}

for c in "${cases[@]}"; do
	# shellcheck disable=SC2086
	run "chattering gnuplot" "$tmp/fake:" $c
done
if command -v gnuplot >/dev/null; then
	for c in "${cases[@]}"; do
		# shellcheck disable=SC2086
		run "real gnuplot" "" $c
	done
else
	for c in "${cases[@]}"; do
		skip "gnuplot not installed"
		skip "gnuplot not installed"
	done
fi
# report: each probe's stdout goes to DIR/NAME.txt.
PATH=$tmp/fake:$PATH "$bin" report --out "$tmp/rep" >/dev/null 2>&1
! grep -il 'gnuplot\|warning:' "$tmp/rep"/*.txt >&2
ok $? "report (chattering gnuplot): no gnuplot line in the text files"
head -n 1 "$tmp/rep/report.md" | grep -Eq "^# smpkit report: .*, 20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9:]{5} UTC$"
ok $? "report.md names the machine and the date: $(head -n 1 "$tmp/rep/report.md")"
exit $fail
