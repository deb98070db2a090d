#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The cluster lab: real smpkit-cluster nodes, each in a network namespace
# the lab creates, joined by veth pairs to a bridge in a namespace of its
# own (nothing is added to the host's namespace; every address lives in
# the lab's namespaces), then rounds of faults done with the system's own
# tools on the current master, a timeline, and measured times.
#
#   lab.sh up --nodes N [--rounds R] [--nemesis link,nft,stop,kill]
#             [--hb MS] [--timeout MS] [--loss PCT] [--seconds S]
#             [--detector master|swim] [--second-channel on|off]
#             [--timeline] [--out DIR] [--bin PATH]
#             [--redundancy active|standby] [--standby none|hot|journal]
#             [--ops N] [--fence kill|freeze|freeze-v1|freeze-v2|none]
#             [--ranked] [--watchdog MS]
# --timeline prints every node's decisions as they happen (masters,
# suspicions, deaths, quorum, fences, step-downs), merged.
# --loss drops that share of the cluster's datagrams at random in every
# node (nft numgen; this kernel has no netem); --seconds keeps the
# cluster running that long after the rounds, to count false deaths.
# The fault 'primary' kills the node serving partition 0 of the service
# (4 partitions; --standby gives them journaled state, --ops updates per
# tick) and times until another node serves it, and its catch-up
# (failover.txt).
# --fence picks the power-fence agent: kill (smpkit-cluster fence-kill:
# SIGKILL through a pidfd, by the pid file's pid and start time; the
# default), freeze (the node's cgroup frozen: v2's cgroup.freeze, else
# the v1 freezer; freeze-v1/-v2 insist on one; a frozen node must log
# nothing until the lab resets it) or none.
# --watchdog MS runs every node under its watchdog; with --fence none a
# 'stop' round then checks that the stopped master is killed by it within
# MS (plus 20 %) and that no new master serves before that (watchdog.txt).
#   lab.sh fence DIR TARGET     (the power-fence agent the nodes call)
#
# Exit: 0 done, 1 an invariant or a bound failed, 4 cannot run here (not
# root, no namespaces), 2 bad usage. Everything is removed on exit.
set -uo pipefail

self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
die() { echo "lab: $*" >&2; exit 2; }
skip() { echo "lab: cannot run here: $*" >&2; exit 4; }

# --- the fence agent: "power off" = SIGKILL by the pid file, recorded.
if [ "${1:-}" = fence ]; then
	[ $# = 3 ] || die "usage: lab.sh fence DIR TARGET"
	if [ -e "$2/cg" ]; then
		# the switch is out of band: 'ip netns exec' gave the node a
		# /sys of its own, so act from the lab's mount namespace
		if [ -z "${SCL_FENCE_NS:-}" ]; then
			SCL_FENCE_NS=1 exec nsenter --mount="/proc/$(cat "$2/lab.mntns-pid")/ns/mnt" -- "$self" "$@"
		fi
		. "$(dirname "$self")/freeze.sh"
		freeze_fence "$2" "$3"
		exit
	fi
	"${SCL_LAB_BIN:-$(dirname "$self")/../../../build/bin/smpkit-cluster}" \
		fence-kill "$2/n$3.pid" >>"$2/fence-kill.log" 2>&1 || exit 1
	echo "$(date +%s.%N) fence n$3" >>"$2/fences"
	touch "$2/n$3.down"
	exit 0
fi
# The lab's own clock-keeping must not wait behind a busy host either.
if [ "${1:-}" = up ] && [ -z "${SCL_LAB_RT:-}" ] && chrt -r 5 true 2>/dev/null; then
	SCL_LAB_RT=1 exec chrt -r 5 "$self" "$@"
fi
[ "${1:-}" = up ] || die "usage: lab.sh up --nodes N [--rounds R] [--nemesis LIST] [--hb MS] [--timeout MS] [--out DIR] [--bin PATH]"
shift
nodes=3 rounds=4 nemesis=link,nft,stop,kill hb=100 to=500 out= bin=
loss=0 seconds=0 detector=master second=on timeline=
redundancy=active standby=none ops=10 fence=kill ranked= watchdog=0
while [ $# -gt 0 ]; do
	case "$1" in
	--nodes) nodes=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--nemesis) nemesis=$2; shift 2 ;;
	--hb) hb=$2; shift 2 ;;
	--timeout) to=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--bin) bin=$2; shift 2 ;;
	--loss) loss=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--detector) detector=$2; shift 2 ;;
	--second-channel) second=$2; shift 2 ;;
	--timeline) timeline=1; shift ;;
	--redundancy) redundancy=$2; shift 2 ;;
	--standby) standby=$2; shift 2 ;;
	--ops) ops=$2; shift 2 ;;
	--fence) fence=$2; shift 2 ;;
	--ranked) ranked=--ranked; shift ;;
	--watchdog) watchdog=$2; shift 2 ;;
	*) die "unknown option '$1'" ;;
	esac
done
[[ $nodes =~ ^[0-9]+$ ]] && [ "$nodes" -ge 2 ] && [ "$nodes" -le 9 ] ||
	die "--nodes must be 2..9"
[[ $rounds =~ ^[0-9]+$ ]] && [ "$rounds" -le 200 ] || die "--rounds must be 0..200"
[[ $hb =~ ^[0-9]+$ && $to =~ ^[0-9]+$ ]] && [ "$to" -gt "$hb" ] ||
	die "--timeout must exceed --hb (milliseconds)"
[[ $loss =~ ^[0-9]+$ ]] && [ "$loss" -le 100 ] || die "--loss must be 0..100"
[[ $seconds =~ ^[0-9]+$ ]] && [ "$seconds" -le 3600 ] || die "--seconds must be 0..3600"
[[ $detector =~ ^(master|swim)$ ]] || die "--detector is master or swim"
[[ $second =~ ^(on|off)$ ]] || die "--second-channel is on or off"
[[ $redundancy =~ ^(active|standby)$ ]] || die "--redundancy is active or standby"
[[ $standby =~ ^(none|hot|journal)$ ]] || die "--standby is none, hot or journal"
[[ $fence =~ ^(kill|freeze|freeze-v1|freeze-v2|none)$ ]] || die "--fence is kill, freeze, freeze-v1, freeze-v2 or none"
[[ $watchdog =~ ^[0-9]+$ ]] && { [ "$watchdog" = 0 ] || [ "$watchdog" -ge $((2 * hb)) ]; } ||
	die "--watchdog must be 0 (none) or at least two heart beats (ms)"
[[ $ops =~ ^[0-9]+$ ]] && [ "$ops" -ge 1 ] && [ "$ops" -le 64 ] || die "--ops must be 1..64"
for a in ${nemesis//,/ }; do
	case $a in link|nft|stop|kill|primary) ;; *) die "unknown fault '$a'" ;; esac
done
[ -n "$bin" ] || bin=$(cd "$(dirname "$self")/../../.." && pwd)/build/bin/smpkit-cluster
[ -x "$bin" ] || die "no node binary at $bin (make userspace)"
export SCL_LAB_BIN=$bin		# the fence agent runs it
if [ "$loss" != 0 ] && ! command -v nft >/dev/null; then
	skip "--loss needs nft(8)"
fi
if [[ $nemesis == *nft* ]] && ! command -v nft >/dev/null; then
	echo "lab: no nft(8): the nft fault is left out" >&2
	nemesis=$(echo "$nemesis" | tr , '\n' | grep -v nft | paste -sd,)
fi

[ -n "$out" ] || out=$(mktemp -d /tmp/smpkit-lab.XXXXXX)
mkdir -p "$out"
# The shared disk lives in tmpfs: a fast disk keeps the writers' lock
# window to microseconds, so a stopped node almost never holds it (see
# Documentation/cluster.rst on what a stopped lock holder does).
diskdir=$(mktemp -d /dev/shm/smpkit-lab.XXXXXX 2>/dev/null) || diskdir=$out
. "$(dirname "$self")/netns.sh"
. "$(dirname "$self")/freeze.sh"
cleanup() {
	freeze_down
	netns_down
	[ "$diskdir" != "$out" ] && rm -rf "$diskdir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
netns_up
if [[ $fence == freeze* ]]; then
	w=${fence#freeze}
	freeze_up "${w#-}" || skip "no cgroup freezer${w:+ ($w)} to make (cgroup v2 without cgroup.freeze, and no v1 freezer hierarchy)"
	echo "lab: fence agent: cgroup freeze ($cg_kind, $cg_dir)"
fi
port=7400
peers=
for ((i = 0; i < nodes; i++)); do
	peers+=${peers:+,}10.213.0.$((i + 1)):$port
	[ "$loss" = 0 ] && continue
	printf '%s\n' 'table inet scl_loss {' \
		"chain in { type filter hook input priority 0; udp dport $port numgen random mod 100 < $loss drop; }" \
		'}' | ip netns exec "$tag-n$i" nft -f - ||
		skip "nft cannot install a random-drop rule"
done

now() { date +%s.%N; }
start_node() {
	local i=$1 fmt=${2:-}
	local into=() fcmd=(--fence-cmd "$self fence $out") wd=()
	[ "$fence" = none ] && fcmd=()
	[ "$watchdog" != 0 ] && wd=(--watchdog "$watchdog")
	rm -f "$out/n$i.down"
	[ -n "$cg_kind" ] &&
		into=(sh -c 'echo $$ >"$0" && exec "$@"' "$cg_dir/n$i/cgroup.procs")
	# real-time priority, as corosync takes: a busy host must not look
	# like a dead node (the daemon needs a few ms of CPU a second); in
	# its own cgroup before it runs, where the freeze agent is used
	$rt "${into[@]}" ip netns exec "$tag-n$i" "$bin" node --id "$i" --peers "$peers" \
		--disk "$diskdir/disk" $fmt --hb "$hb" --timeout "$to" \
		--detector "$detector" --second-channel "$second" --partitions 4 \
		--redundancy "$redundancy" --standby "$standby" --ops "$ops" $ranked \
		"${fcmd[@]}" "${wd[@]}" >>"$out/n$i.log" 2>&1 &
	# the pid and its start time (exec keeps it): fence-kill's identity
	printf '%s\n%s\n' $! "$(sed 's/.*) //' "/proc/$!/stat" | awk '{print $20}')" >"$out/n$i.pid"
	disown
}

# master: of the nodes whose last master/step-down line says master,
# the one with the highest term (a stopped master cannot log its fall).
master() {
	local i last best=none bt=-1 t
	for ((i = 0; i < nodes; i++)); do
		[ -e "$out/n$i.down" ] && continue
		last=$(grep -E ' (master n|step-down|leaves|starts)' "$out/n$i.log" | tail -n 1)
		[[ $last == *" master n$i" ]] || continue
		t=$(echo "$last" | awk '{print $4}')
		[ "$t" -gt "$bt" ] && { bt=$t; best=$i; }
	done
	echo "$best"
}
term_of() { grep " master n$1" "$out/n$1.log" | tail -n 1 | awk '{print $4}'; }

# primary: the running node whose last word on partition 0 is that it
# serves it (the latest such line if two say so).
primary() {
	local i best=none bt=0 last
	for ((i = 0; i < nodes; i++)); do
		[ -e "$out/n$i.down" ] && continue
		last=$(grep -E ' (serves partition 0|stops serving partition 0|starts)' "$out/n$i.log" | tail -n 1)
		[[ $last == *"serves partition 0"* ]] || continue
		[ "$(echo "${last%% *} > $bt" | bc)" = 1 ] && { bt=${last%% *}; best=$i; }
	done
	echo "$best"
}

# One 'primary' round: SIGKILL the primary of partition 0, then from the
# nodes' stamps: when another served it, and what its catch-up cost.
primary_round() {
	local r=$1 old new t0 k i tf line n us
	old=$(primary)
	[ "$old" != none ] || { sleep 1; old=$(primary); }
	[ "$old" != none ] || { echo "lab: round $r: no primary of partition 0"; fail=1; return; }
	t0=$(now)
	kill -KILL "$(head -n1 "$out/n$old.pid")"; touch "$out/n$old.down"
	new=none
	for ((k = 0; k < 100; k++)); do
		[ "$new" = none ] || break
		sleep 0.1
		for ((i = 0; i < nodes; i++)); do
			[ "$i" = "$old" ] && continue
			tf=$(awk -v t="$t0" '$1 > t && / serves partition 0( |$)/ {print $1; exit}' "$out/n$i.log")
			[ -n "$tf" ] && { new=$i; break; }
		done
	done
	if [ "$new" = none ]; then
		echo "lab: round $r: partition 0 not served again within 10 s"; fail=1
		return
	fi
	line=$(awk -v t="$t0" '$1 > t && / catch-up partition 0: / {l = $0} END {print l}' "$out/n$new.log")
	n=$(echo "$line" | sed -n 's/.*: \([0-9]*\) updates replayed in \([0-9]*\) us.*/\1/p')
	us=$(echo "$line" | sed -n 's/.*: \([0-9]*\) updates replayed in \([0-9]*\) us.*/\2/p')
	printf '%-5s %-8s n%-3s n%-3s %-11.3f %-9s %s\n' "$r" "$standby" "$old" "$new" \
		"$(echo "$tf - $t0" | bc -l)" "${n:--}" "${us:--}" >>"$out/failover.txt"
	echo "lab: round $r: primary n$old of partition 0 killed ($redundancy, $standby stand-by): n$new serves it after $(printf %.3f "$(echo "$tf - $t0" | bc -l)") s, ${n:-no} updates replayed in ${us:--} us"
}

# watchdog_round: after a 'stop' round, from the nodes' stamps: when the
# stopped master's watchdog killed it, and when the new master served.
watchdog_round() {
	local tw tv k lim
	for ((k = 0; k < 100; k++)); do
		tw=$(awk -v t="$t0" '$1 > t && / watchdog: node killed/ {print $1; exit}' "$out/n$old.log")
		tv=$(awk -v t="$t0" -v m="n$new" '$1 > t && $5 == "serve" && $6 == m {print $1; exit}' "$out/n$new.log" 2>/dev/null)
		[ -n "$tw" ] && [ -n "$tv" ] && break
		sleep 0.1
	done
	lim=$(echo "$watchdog * 1.2 / 1000" | bc -l)
	if [ -z "$tw" ]; then
		echo "lab: round $r: the stopped master n$old was not killed by its watchdog"; fail=1; return
	fi
	tw=$(echo "$tw - $t0" | bc -l)
	[ "$(echo "$tw > $lim" | bc)" = 1 ] &&
		{ echo "lab: round $r: watchdog killed n$old after $tw s, beyond $lim s"; fail=1; }
	if [ -z "$tv" ]; then
		echo "lab: round $r: the new master n$new never served"; fail=1; return
	fi
	tv=$(echo "$tv - $t0" | bc -l)
	[ "$(echo "$tv <= $tw" | bc)" = 1 ] &&
		{ echo "lab: round $r: n$new served after $tv s, before n$old was killed"; fail=1; }
	printf '%-5s n%-4s %-10.3f n%-4s %-10.3f %-10.3f\n' "$r" "$old" "$tw" "$new" "$el" "$tv" >>"$out/watchdog.txt"
	echo "lab: round $r: watchdog killed stopped n$old after $(printf %.3f "$tw") s; n$new elected after $(printf %.3f "$el") s, served after $(printf %.3f "$tv") s"
}

# wait_master OLD: a master other than OLD, at most 100 x 0.1 s.
wait_master() {
	local k m
	for ((k = 0; k < 100; k++)); do
		m=$(master)
		[ "$m" != none ] && [ "$m" != "$1" ] && { echo "$m"; return; }
		sleep 0.1
	done
	echo none
}

echo "lab: $nodes nodes in namespaces $tag-n0..$((nodes - 1)), bridge in $br, logs in $out"
: >"$out/fences"
printf '%-5s %-8s %-4s %-4s %-11s %-9s %s\n' round standby old new failover_s replayed replay_us >"$out/failover.txt"
printf '%-5s %-5s %-10s %-5s %-10s %-10s\n' round old killed_s new elected_s served_s >"$out/watchdog.txt"
if [ -n "$timeline" ]; then
	for ((i = 0; i < nodes; i++)); do : >>"$out/n$i.log"; done
	tail -q -n 0 -F "$out"/n*.log 2>/dev/null | sed -u 's/^/  | /' &
	echo $! >"$out/timeline.pid"	# netns_down ends it
	disown
fi
start_node 0 --format-disk
sleep 0.2
for ((i = 1; i < nodes; i++)); do start_node "$i"; done
m=$(wait_master x)
[ "$m" != none ] || { echo "lab: no master within 10 s"; exit 1; }
echo "lab: n$m is master of term $(term_of "$m")"

bound=$(printf %.2f "$(echo "2 * ($hb + $to) / 1000" | bc -l)")
acts=(${nemesis//,/ })
fail=0
printf '%-5s %-5s %-4s %-10s %-12s %-15s %-12s %-12s\n' round fault old new elected_s known_by_all_s detected_s stepped_down_s >"$out/report.txt"
for ((r = 1; r <= rounds && ${#acts[@]}; r++)); do
	a=${acts[$(((r - 1) % ${#acts[@]}))]}
	if [ "$a" = primary ]; then
		primary_round "$r"
		sleep 1.5
		for ((i = 0; i < nodes; i++)); do
			[ -e "$out/n$i.down" ] || continue
			freeze_reset "$i"
			start_node "$i"
		done
		sleep 1
		continue
	fi
	old=$(master)
	[ "$old" != none ] || { sleep 1; old=$(master); }
	[ "$old" != none ] || { echo "lab: round $r: no master to act on"; fail=1; continue; }
	pid=$(head -n1 "$out/n$old.pid")
	t0=$(now)
	case $a in
	link) ip -n "$br" link set "e$old" down ;;
	nft) printf '%s\n' 'table inet scl {' \
		"chain in { type filter hook input priority 0; udp dport $port drop; }" \
		"chain out { type filter hook output priority 0; udp dport $port drop; }" \
		'}' | ip netns exec "$tag-n$old" nft -f - ;;
	stop) kill -STOP "$pid" ;;
	kill) kill -KILL "$pid"; touch "$out/n$old.down" ;;
	esac
	new=$(wait_master "$old")
	t1=$(now)
	# known by all running nodes: each logged master-known for it
	t2=$t1
	if [ "$new" != none ]; then
		term=$(term_of "$new")
		for ((k = 0; k < 50; k++)); do
			all=1
			for ((i = 0; i < nodes; i++)); do
				[ "$i" = "$new" ] || [ "$i" = "$old" ] && continue
				[ -e "$out/n$i.down" ] && continue
				grep -q "term $term master-known n$new" "$out/n$i.log" || all=0
			done
			[ $all = 1 ] && break
			sleep 0.05
		done
		t2=$(now)
		[ $all = 1 ] || { echo "lab: round $r: not every node learned n$new"; fail=1; }
	else
		echo "lab: round $r: no new master within 10 s"; fail=1
	fi
	# the times come from the nodes' own log stamps, not from polling
	el=$(echo "$t1 - $t0" | bc -l); kn=$(echo "$t2 - $t0" | bc -l)
	if [ "$new" != none ]; then
		te=$(grep -m1 " term $term master n$new\$" "$out/n$new.log" | awk '{print $1}')
		tk=$te
		for ((i = 0; i < nodes; i++)); do
			t=$(grep -m1 " term $term master-known n$new\$" "$out/n$i.log" | awk '{print $1}')
			[ -n "$t" ] && [ "$(echo "$t > $tk" | bc)" = 1 ] && tk=$t
		done
		[ -n "$te" ] && el=$(echo "$te - $t0" | bc -l) && kn=$(echo "$tk - $t0" | bc -l)
	fi
	# detection: the first node to log that its master's beats stopped
	td=$(cat "$out"/n*.log | awk -v t="$t0" -v m="n$old" '$1 > t && $5 == "master-lost" && $6 == m {print $1}' | sort -n | head -n 1)
	dt=-
	[ -n "$td" ] && dt=$(printf %.3f "$(echo "$td - $t0" | bc -l)")
	# the old master's own verdict: it stopped serving (quorum lost)
	ts=$(awk -v t="$t0" '$1 > t && $5 == "step-down" {print $1; exit}' "$out/n$old.log")
	st=-
	[ -n "$ts" ] && st=$(printf %.3f "$(echo "$ts - $t0" | bc -l)")
	printf '%-5s %-5s n%-3s n%-9s %-12.3f %-15.3f %-12s %-12s\n' "$r" "$a" "$old" "$new" "$el" "$kn" "$dt" "$st" >>"$out/report.txt"
	[ "$a" = stop ] && [ "$watchdog" != 0 ] && [ "$fence" = none ] && watchdog_round
	echo "lab: round $r: $a on master n$old: lost after $dt s; n$new elected after $(printf %.3f "$el") s, known by all after $(printf %.3f "$kn") s"
	case $a in
	link) ip -n "$br" link set "e$old" up ;;
	nft) ip netns exec "$tag-n$old" nft delete table inet scl ;;
	stop) kill -CONT "$pid" 2>/dev/null ;;
	esac
	sleep 1.5
	# nodes killed by the nemesis or powered off by a fence come back
	for ((i = 0; i < nodes; i++)); do
		if [ -e "$out/n$i.down" ] || ! kill -0 "$(head -n1 "$out/n$i.pid")" 2>/dev/null; then
			freeze_reset "$i"
			start_node "$i"
		fi
	done
	sleep 1
done

# a quiet stretch (with --loss: every death declared is a false one)
if [ "$seconds" -gt 0 ]; then
	q0=$(now)
	sleep "$seconds"
	quiet=$(cat "$out"/n*.log | awk -v t="$q0" '$1 > t')
	echo "lab: $seconds s at ${loss} % loss, $detector detector, second channel $second:" \
		"$(echo "$quiet" | grep -c ' dead n') deaths declared of running nodes," \
		"$(echo "$quiet" | grep -c ' disk-saved n') vetoed by the disk," \
		"$(echo "$quiet" | grep -c ' suspect n') suspicions" | tee -a "$out/report.txt"
fi

# split brain: two nodes master of one term, in any log
cat "$out"/n*.log | awk '$5 == "master" && $2 == $6 { print $4, $2 }' |
	sort -u | awk '{c[$1]++} END {for (t in c) if (c[t] > 1) print t}' >"$out/split"
splits=$(wc -l <"$out/split")
refused=$(cat "$out"/n*.log | grep -c 'write-refused: stale')
sort -n "$out"/n*.log | grep -E 'master|step-down|fence|dead|self-fence|write-refused|bad-input|resumed' >"$out/timeline.txt"
{
	echo "terms with two masters: $splits"
	echo "late writes of deposed masters refused by the disk: $refused"
	echo "power fences: $(wc -l <"$out/fences")"
	[ -n "$cg_kind" ] && echo "freeze fences: $(grep -c freeze "$out/fences"), frozen nodes that ran: $(cat "$out/frozen-ran" 2>/dev/null | wc -l)"
	echo "bound 2 x (hb + timeout): $bound s"
} | tee -a "$out/report.txt"
[ "$splits" = 0 ] || fail=1
[ -s "$out/frozen-ran" ] && fail=1
exit $fail
