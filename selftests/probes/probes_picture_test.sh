#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# probes_picture_test: the pictures are readable. A recording gnuplot
# keeps each script: the latency curve is log-log with K/M tics and the
# caches marked; the heatmaps print a value in every measured cell, "-"
# (never "nan") in the others, put row 0 on top and anchor the colour
# scale at 0; a one-node matrix is one box with its value. The real
# gnuplot then draws each one without a warning ("Image grid must be at
# least 4 points" was the blank square).
bin=$(cd "$(dirname "$0")/../.." && pwd)/bin/smpkit
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/ktap.sh"
[ -x "$bin" ] || ktap_skip_all "$bin is not built"
ktap_plan 13

mkdir -p "$tmp/rec"
cat >"$tmp/rec/gnuplot" <<'EOF'
#!/bin/sh
cat >"$GNUPLOT_SCRIPT"
out=$(sed -n "s/^set output '\(.*\)'$/\1/p" "$GNUPLOT_SCRIPT")
printf 'recorded' >"$out"
EOF
chmod +x "$tmp/rec/gnuplot"

# script NAME PROBE-ARGS...: run with the recording gnuplot into NAME.gp.
script() {
	local name=$1
	shift
	GNUPLOT_SCRIPT=$tmp/$name.gp PATH=$tmp/rec:$PATH \
		"$bin" "$@" --plot "$tmp/$name.png" >/dev/null 2>"$tmp/$name.err"
}
# rows NAME BLOCK: the data lines of datablock $BLOCK in NAME.gp.
rows() {
	sed -n "/^\\\$$2 << EOD/,/^EOD/p" "$tmp/$1.gp" | grep -vc 'EOD'
}

script lat memlat --quick --max 256K
grep -q '^set logscale x' "$tmp/lat.gp" && grep -q '^set logscale y' "$tmp/lat.gp"
ok $? "latency curve: log x and log y"
grep -q '^set xtics ("4K" 4, "8K" 8' "$tmp/lat.gp"
ok $? "latency curve: x tics are sizes (4K, 8K, ...), not KiB counts"
grep -q '^set label "L1d [0-9]*[KM]"' "$tmp/lat.gp" && grep -q '^set arrow' "$tmp/lat.gp"
ok $? "latency curve: the L1d size is marked with a line and a label"

script c2c c2c --quick
! grep -qi 'nan' "$tmp/c2c.gp"
ok $? "c2c heatmap: no nan anywhere in the script"
yr=$(sed -n 's/^set yrange \[\([0-9.]*\):-0.5\]$/\1/p' "$tmp/c2c.gp")
[ -n "$yr" ]
ok $? "c2c heatmap: y runs from the last CPU at the bottom to CPU 0 at the top ($yr..-0.5)"
grep -q '^set cbrange \[0:' "$tmp/c2c.gp"
ok $? "c2c heatmap: the colour scale starts at 0"
cpus=$(nproc)
[ "$(rows c2c d)" = $((cpus * (cpus - 1))) ] && [ "$(rows c2c m)" = "$cpus" ] &&
	grep -q 'with labels' "$tmp/c2c.gp" && grep -q "('-') with labels" "$tmp/c2c.gp"
ok $? "c2c heatmap: $((cpus * (cpus - 1))) measured cells with values, $cpus diagonal cells with '-'"

script mat memlat --matrix --quick --size 1M
nodes=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
[ "$(rows mat d)" = $((nodes * nodes)) ] && ! grep -q 'with image' "$tmp/mat.gp" &&
	grep -q 'with labels' "$tmp/mat.gp"
ok $? "matrix heatmap: $((nodes * nodes)) boxes with values, no image grid"

if command -v gnuplot >/dev/null; then
	for p in lat c2c mat; do
		case $p in
		lat) set -- memlat --quick --max 256K ;;
		c2c) set -- c2c --quick ;;
		mat) set -- memlat --matrix --quick --size 1M ;;
		esac
		"$bin" "$@" --plot "$tmp/$p.png" >/dev/null 2>"$tmp/$p.err"
		[ "$(head -c 4 "$tmp/$p.png" | tail -c 3)" = PNG ] &&
			! grep -i 'warning' "$tmp/$p.err" >&2
		ok $? "real gnuplot draws $* without a warning"
	done
	"$bin" memlat --matrix --quick --size 1M --json --plot "$tmp/mat.svg" \
		>"$tmp/mat.json" 2>/dev/null
	# The cell shows 2, 1 or 0 decimals as the scale tops 10, 100 or more.
	# The JSON has the value to 3 decimals and the picture rounds the
	# unrounded one: a value half-way between two labels may show either.
	v=$(python3 -c '
import json, math, sys
v = json.load(open(sys.argv[1]))["latency"][0]["ns"]
p = 10 ** math.floor(math.log10(v))
top = min(t for t in (p, 2 * p, 5 * p, 10 * p) if t >= v * 1.001)
d = 2 if top <= 10 else 1 if top <= 100 else 0
print("|".join(sorted({"%.*f" % (d, v + e) for e in (-0.0005, 0, 0.0005)})))' "$tmp/mat.json")
	[ -n "$v" ] && grep -qE ">($v)<" "$tmp/mat.svg"
	ok $? "matrix as SVG: the local cell's ${v:-?} ns is printed in the picture"
else
	for i in 1 2 3 4; do skip "gnuplot not installed"; done
fi
"$bin" memlat --quick --max 64K --plot "$tmp/none/x.png" >/dev/null 2>"$tmp/err"
grep -q 'smpkit: ' "$tmp/err"
ok $? "a picture that cannot be written is reported on stderr"
exit $fail
