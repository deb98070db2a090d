#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The cluster page of make run's report (about two minutes):
# simulator figures (events per second, detection per scheme, false deaths
# against loss with and without the disk's second channel), then, where
# namespaces can be made, the real lab (fault rounds on the master, false
# deaths at 20 % loss, the service's fail-over, a stopped master killed
# by its watchdog), etcd beside our nodes (SIGKILL of the leader) and
# corosync beside them (one member cut off).
# Writes OUT/cluster.md (and cluster-*.png with gnuplot). Parts that
# cannot run here say so on the page.
#
#   report.sh OUT-DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
bin=$top/build/bin/smpkit-cluster
[ $# = 1 ] || { echo "usage: report.sh OUT-DIR" >&2; exit 2; }
out=$1
mkdir -p "$out"
[ -x "$bin" ] || { echo "report: $bin is not built" >&2; exit 1; }
page=$out/cluster.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -n | awk '{a[NR] = $1} END {if (NR) print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2); else print "-"}'; }
# pct P: the P-th percentile of the numbers on stdin
pct() { sort -n | awk -v p="$1" '{a[NR] = $1} END {if (NR) {i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; print a[i]} else print "-"}'; }
# cdf KIND FILE: that kind's samples, sorted, with their cumulative share
cdf() { awk -v k="$1" '$1 == k {print $2}' "$2" | sort -n | awk '{a[NR] = $1} END {for (i = 1; i <= NR; i++) print a[i], i / NR}'; }
# plot PNG <SCRIPT: draw with gnuplot, link the picture on the page
plot() {
	command -v gnuplot >/dev/null || return 0
	{ echo "set terminal pngcairo size 760,420; set output '$out/$1'; set grid"; cat; } |
		gnuplot 2>/dev/null && echo -e "\n![${1%.png}]($1)" >>"$page"
}

{
	echo "# smpkit cluster"
	echo
	echo "Machine: $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%F' '%H:%M' UTC'). Heart beat 100 ms, timeout 500 ms."
	echo
	echo "## Simulator"
	echo
	echo '```'
	"$bin" sim --nodes 5 --seeds 2000 --quiet
	echo '```'
	echo
	echo "Detection and election (crash faults only, 300 seeds of 5 nodes; each seed draws the disk's votes and wait_for_all): crash -> declared dead, and a master's crash -> the next master:"
	echo
	echo "| what, detector | median (ms) | 90th percentile (ms) | samples |"
	echo "| --- | --- | --- | --- |"
	for d in master swim; do
		"$bin" sim --nodes 5 --seeds 300 --detector "$d" --nemesis crash \
			--samples "$work/t-$d" --quiet >/dev/null
		for k in detect elect; do
			awk -v k=$k '$1 == k {print $2}' "$work/t-$d" >"$work/v"
			echo "| $k, $d | $(median <"$work/v") | $(pct 90 <"$work/v") | $(wc -l <"$work/v") |"
		done
	done
} >"$page"
for d in master swim; do
	for k in detect elect; do cdf $k "$work/t-$d" >"$work/cdf-$k-$d"; done
done
plot cluster-detect-elect.png <<EOG
set xlabel "time after the crash (ms)"; set ylabel "share of cases"; set key right bottom
plot "$work/cdf-detect-master" with lines lw 2 title "declared dead, master-centred", \
     "$work/cdf-detect-swim" with lines lw 2 title "declared dead, SWIM", \
     "$work/cdf-elect-master" with lines lw 2 dt 2 title "new master, master-centred", \
     "$work/cdf-elect-swim" with lines lw 2 dt 2 title "new master, SWIM"
EOG
{
	echo
	echo "False deaths (deaths declared of running nodes) against the highest loss a seed may draw, 100 seeds of 5 nodes, loss faults only:"
	echo
	echo "| loss % | master, 1 channel | master + disk | swim, 1 channel | swim + disk |"
	echo "| --- | --- | --- | --- | --- |"
} >>"$page"
for l in 0 5 10 20 30; do
	row="$l"
	for d in master swim; do
		for sc in off on; do
			v=$("$bin" sim --nodes 5 --seeds 100 --detector "$d" --second-channel "$sc" \
				--nemesis loss --loss "$l" --quiet | sed -n 's/.*(of running nodes \([0-9]*\)).*/\1/p')
			row+=" $v"
		done
	done
	echo "$row" >>"$work/fp.dat"
	echo "| ${row// / | } |" >>"$page"
done
plot cluster-false-deaths.png <<EOG
set xlabel "highest loss drawn (%)"; set ylabel "false deaths in 100 runs"; set key left top
plot "$work/fp.dat" using 1:2 with linespoints lw 2 title "master-centred", \
     "" using 1:3 with linespoints lw 2 title "master-centred + disk", \
     "" using 1:4 with linespoints lw 2 title "SWIM", \
     "" using 1:5 with linespoints lw 2 title "SWIM + disk"
EOG
{
	echo
	echo "False deaths against the heart-beat interval (timeout 5 beats, master-centred, network only, loss up to 20 %, 100 seeds):"
	echo
	echo "| heart beat (ms) | false deaths |"
	echo "| --- | --- |"
	for hb in 50 100 200; do
		v=$("$bin" sim --nodes 5 --seeds 100 --detector master --second-channel off \
			--nemesis loss --loss 20 --hb "$hb" --timeout $((hb * 5)) --quiet |
			sed -n 's/.*(of running nodes \([0-9]*\)).*/\1/p')
		echo "$hb $v" >>"$work/fp-hb.dat"
		echo "| $hb | $v |"
	done
} >>"$page"
plot cluster-false-deaths-hb.png <<EOG
set xlabel "heart-beat interval (ms; timeout 5 beats)"; set ylabel "false deaths in 100 runs"; set yrange [0:*]
plot "$work/fp-hb.dat" using 1:2 with linespoints lw 2 pt 7 title "master-centred, network only, loss up to 20 %"
EOG
{
	echo
	echo "Fail-over per redundancy mode (crash faults only, 300 seeds of 5 nodes, 4 partitions; a primary journals 100 updates a tick, a replay costs 5 us an update): a partition's server crashed -> another serves it, and the new primary's catch-up:"
	echo
	echo "| redundancy, stand-by | served again: median (ms) | 90th pct (ms) | catch-up: median (ms) | max (ms) |"
	echo "| --- | --- | --- | --- | --- |"
	for red in active standby; do
		for sb in hot journal; do
			"$bin" sim --nodes 5 --seeds 300 --nemesis crash --redundancy $red \
				--standby $sb --ops 100 --samples "$work/s-$red-$sb" --quiet >/dev/null
			awk '$1 == "serve" {print $2}' "$work/s-$red-$sb" >"$work/v"
			awk '$1 == "catchup" {print $2}' "$work/s-$red-$sb" >"$work/c"
			echo "| $red, $sb | $(median <"$work/v") | $(pct 90 <"$work/v") | $(median <"$work/c") | $(pct 100 <"$work/c") |"
			cdf serve "$work/s-$red-$sb" >"$work/cdf-serve-$red-$sb"
		done
	done
} >>"$page"
plot cluster-failover.png <<EOG
set xlabel "time after the partition's server crashed (ms)"; set ylabel "share of cases"; set key right bottom
plot "$work/cdf-serve-active-hot" with lines lw 2 title "active/active, hot stand-by", \
     "$work/cdf-serve-active-journal" with lines lw 2 dt 2 title "active/active, journal replay", \
     "$work/cdf-serve-standby-hot" with lines lw 2 title "active/stand-by, hot stand-by", \
     "$work/cdf-serve-standby-journal" with lines lw 2 dt 2 title "active/stand-by, journal replay"
EOG
echo -e "\n## Real nodes in network namespaces\n" >>"$page"
"$here/lab.sh" up --nodes 3 --rounds 4 --out "$work/lab" >"$work/lab.out" 2>&1
rc=$?
if [ $rc = 4 ]; then
	echo "Not run here: $(grep -m1 'cannot run here' "$work/lab.out")." >>"$page"
	exit 0
fi
{
	echo "Faults on the master, 3 nodes (exit $rc):"
	echo
	echo '```'
	cat "$work/lab/report.txt"
	echo '```'
} >>"$page"
for sc in off on; do
	"$here/lab.sh" up --nodes 5 --rounds 0 --loss 20 --seconds 12 --second-channel "$sc" \
		--out "$work/loss-$sc" >"$work/loss-$sc.out" 2>&1
	echo "- $(grep -m1 's at' "$work/loss-$sc.out" | sed 's/^lab: //')" >>"$page"
done
{
	echo
	echo "Fail-over of the service, real nodes (3 nodes, SIGKILL of partition 0's primary, 3 rounds per mode, active/active; a primary journals 10 updates a tick):"
	echo
	echo "| stand-by | served again: median (s) | min-max (s) | updates replayed (median) | replay time (us, median) |"
	echo "| --- | --- | --- | --- | --- |"
} >>"$page"
for sb in hot journal; do
	"$here/lab.sh" up --nodes 3 --rounds 3 --nemesis primary --standby $sb \
		--out "$work/fo-$sb" >/dev/null 2>&1
	f=$work/fo-$sb/failover.txt
	awk 'NR > 1 {print $5}' "$f" | sort -n >"$work/v"
	echo "| $sb | $(median <"$work/v") | $(head -n 1 "$work/v")-$(tail -n 1 "$work/v") | $(awk 'NR > 1 {print $6}' "$f" | median) | $(awk 'NR > 1 {print $7}' "$f" | median) |" >>"$page"
done

# self-fencing without a power switch: the stopped master's watchdog
"$here/lab.sh" up --nodes 3 --rounds 2 --nemesis stop --fence none --watchdog 500 \
	--out "$work/wd" >"$work/wd.out" 2>&1
rc=$?
{
	echo
	echo "Self-fencing by the watchdog (3 nodes, no fence agent, 500 ms watchdog, SIGSTOP of the master, 2 rounds, exit $rc; seconds after the stop):"
	echo
	echo '```'
	cat "$work/wd/watchdog.txt"
	echo '```'
} >>"$page"

echo -e "\n## etcd beside our nodes (SIGKILL of the leader, 3 members)\n" >>"$page"
if "$here/peers.sh" etcd --nodes 3 --rounds 3 --out "$work/etcd" >"$work/etcd.out" 2>&1; then
	"$here/lab.sh" up --nodes 3 --rounds 3 --nemesis kill --out "$work/ours" >/dev/null 2>&1
	"$here/lab.sh" up --nodes 3 --rounds 3 --nemesis kill --ranked --out "$work/ranked" >/dev/null 2>&1
	ours=$(awk 'NR > 1 && $1 ~ /^[0-9]+$/ {print $6}' "$work/ours/report.txt" | median)
	rk=$(awk 'NR > 1 && $1 ~ /^[0-9]+$/ {print $6}' "$work/ranked/report.txt" | median)
	theirs=$(awk 'NR > 1 {print $4}' "$work/etcd/etcd-report.txt" | median)
	ratio() { printf %.2f "$(echo "scale=4; $1 / $theirs" | bc 2>/dev/null)"; }
	{
		echo "| | median time until every member knows the new leader (s) | ours / etcd |"
		echo "| --- | --- | --- |"
		echo "| smpkit-cluster (random delay) | $ours | $(ratio "$ours") |"
		echo "| smpkit-cluster --ranked | $rk | $(ratio "$rk") |"
		echo "| etcd 3.4 | $theirs | |"
		echo
		echo "Three rounds each: the ratios swing from run to run (see Documentation/cluster.rst for 12 rounds)."
	} >>"$page"
else
	echo "etcd: $(tail -n 1 "$work/etcd.out")" >>"$page"
fi
echo -e "\n## corosync beside our nodes (one member cut off, 3 members)\n" >>"$page"
if "$here/peers.sh" corosync --nodes 3 --rounds 3 --out "$work/coro" >"$work/coro.out" 2>&1; then
	"$here/lab.sh" up --nodes 3 --rounds 3 --nemesis link --out "$work/link" >/dev/null 2>&1
	{
		echo "| | the others decide (s, median) | the cut-off one gives up (s, median) |"
		echo "| --- | --- | --- |"
		echo "| smpkit-cluster (master cut off: new master known; old master steps down) | $(awk 'NR > 1 && $1 ~ /^[0-9]+$/ {print $6}' "$work/link/report.txt" | median) | $(awk 'NR > 1 && $1 ~ /^[0-9]+$/ {print $8}' "$work/link/report.txt" | median) |"
		echo "| corosync 3 votequorum (new membership; non-primary component) | $(awk 'NR > 1 {print $3}' "$work/coro/corosync-report.txt" | median) | $(awk 'NR > 1 {print $4}' "$work/coro/corosync-report.txt" | median) |"
	} >>"$page"
else
	echo "corosync: $(tail -n 1 "$work/coro.out")" >>"$page"
fi
echo "report: $page" >&2
