#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# cluster_lab_test: three real nodes in network namespaces the lab makes;
# the master is cut off by link down (a partition), an nft drop rule,
# SIGSTOP and SIGKILL in turn. Each time a new master must be elected and
# known by every running node within 2 x (heart-beat + timeout), no term
# may have two masters, and the deposed masters must be fenced. Then 10 s
# at 20 % random loss (nft) must pass without a false death when the disk
# confirms deaths. Then the primary of the service's partition 0 is killed
# once with a journal-replay stand-by and once with a hot stand-by: another
# node must serve it, the cold one after replaying the dead primary's
# journal, the hot one with (almost) nothing left to replay. Last, the
# fence agent freezes the deposed master's cgroup (the v1 freezer where
# the kernel has it, else v2), with ranked election delays: a new master
# is elected and the frozen one logs nothing while frozen. Then, with no
# fence agent but a watchdog on every node, a stopped master must be
# killed by its watchdog within the bound and the new master must serve
# only after that. SKIPs with the reason where namespaces cannot be made.
top=$(cd "$(dirname "$0")/../.." && pwd)
# the lab script is source: find the tree above build/ (or build/san/)
lab=
for up in .. ../..; do
	[ -x "$top/$up/tools/cluster/lab/lab.sh" ] &&
		lab=$(cd "$top/$up" && pwd)/tools/cluster/lab/lab.sh && break
done
bin=$top/bin/smpkit-cluster
. "$(dirname "$0")/../lib/ktap.sh"
[ -x "$bin" ] || ktap_skip_all "$bin is not built"
[ -n "$lab" ] || ktap_skip_all "no tools/cluster/lab/lab.sh above $top"
[ "$(id -u)" = 0 ] || ktap_skip_all "not root: the lab needs network namespaces"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ktap_plan 10

timeout -k 5 150 "$lab" up --nodes 3 --rounds 4 --nemesis link,nft,stop,kill \
	--hb 100 --timeout 500 --out "$tmp/lab" --bin "$bin" >"$tmp/out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/out" | grep -v Killed
[ $rc = 4 ] && ktap_skip_all "$(grep -m1 'cannot run here' "$tmp/out")"
ok $rc "the lab ran 4 rounds and every round elected a new master known by all"
rounds=$(awk 'NR > 1 && $1 ~ /^[0-9]+$/' "$tmp/lab/report.txt" | wc -l)
slow=$(awk 'NR > 1 && $1 ~ /^[0-9]+$/ && $6 > 1.2' "$tmp/lab/report.txt" | wc -l)
[ "$rounds" = 4 ] && [ "$slow" = 0 ]
ok $? "each new master known by all within 2 x (100 + 500) ms ($slow of $rounds slower)"
grep -q '^terms with two masters: 0$' "$tmp/lab/report.txt"
ok $? "no term had two masters"
f=$(grep -c fence "$tmp/lab/fences" 2>/dev/null)
[ "${f:-0}" -ge 3 ]
ok $? "the deposed masters were powered off by the fence agent ($f fences)"
timeout -k 5 60 "$lab" up --nodes 3 --rounds 0 --loss 20 --seconds 10 \
	--second-channel on --out "$tmp/loss" --bin "$bin" >"$tmp/loss.out" 2>&1
rc=$?
line=$(grep -m1 's at 20 % loss' "$tmp/loss.out")
echo "# $line"
[ $rc = 0 ] && echo "$line" | grep -q ': 0 deaths declared'
ok $? "at 20 % loss for 10 s, with the disk as second channel, no running node is declared dead"
for sb in journal hot; do
	timeout -k 5 60 "$lab" up --nodes 3 --rounds 1 --nemesis primary \
		--standby $sb --out "$tmp/$sb" --bin "$bin" >"$tmp/$sb.out" 2>&1
	rc=$?
	sed 's/^/# /' "$tmp/$sb.out" | grep 'round 1'
	rn=$(awk 'NR == 2 {print $6}' "$tmp/$sb/failover.txt")
	if [ $sb = journal ]; then
		[ $rc = 0 ] && [ "${rn:-0}" != - ] && [ "${rn:-0}" -gt 0 ]
		ok $? "journal stand-by: another node serves partition 0 after replaying the dead primary's journal (${rn:-no} updates)"
	else
		# the primary journals 10 updates a tick: at most a tick's left
		[ $rc = 0 ] && [ -n "$rn" ] && [ "$rn" != - ] && [ "$rn" -le 10 ]
		ok $? "hot stand-by: another node serves partition 0 with at most a tick's updates left to replay (${rn:-no})"
	fi
done
fz=freeze-v1
grep -q "^freezer" /proc/cgroups && [ -d /sys/fs/cgroup/freezer ] || fz=freeze
timeout -k 5 60 "$lab" up --nodes 3 --rounds 1 --nemesis stop --fence $fz --ranked \
	--out "$tmp/fz" --bin "$bin" >"$tmp/fz.out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/fz.out" | grep -E 'agent|round 1|freeze fences'
if [ $rc = 4 ]; then
	skip "$(grep -m1 'cannot run here' "$tmp/fz.out")"
else
	[ $rc = 0 ] && grep -q 'freeze fences: [1-9][0-9]*, frozen nodes that ran: 0' "$tmp/fz.out"
	ok $? "the fence agent froze the deposed master's cgroup ($fz) and it ran no code until reset (ranked election)"
fi
timeout -k 5 60 "$lab" up --nodes 3 --rounds 1 --nemesis stop --fence none --watchdog 1000 \
	--out "$tmp/wd" --bin "$bin" >"$tmp/wd.out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/wd.out" | grep -E 'round 1|two masters'
[ $rc = 0 ] && [ "$(awk 'NR > 1' "$tmp/wd/watchdog.txt" | wc -l)" = 1 ]
ok $? "no fence agent: the stopped master's watchdog killed it within 1.2 s, and the new master served only after that"
tags=$(cat "$tmp/out" "$tmp/loss.out" "$tmp/journal.out" "$tmp/hot.out" "$tmp/fz.out" "$tmp/wd.out" | grep -o 'bridge in scl[0-9]*-br' | sed 's/bridge in //; s/-br$//')
left=0
for t in $tags; do
	left=$((left + $(ip netns list 2>/dev/null | grep -c "^$t-")))
done
cgs=0
for t in $tags; do
	for d in /sys/fs/cgroup/freezer /sys/fs/cgroup/unified /sys/fs/cgroup; do
		[ -d "$d/$t" ] && cgs=$((cgs + 1))
	done
done
[ -n "$tags" ] && [ "$left" = 0 ] && [ "$cgs" = 0 ]
ok $? "the lab removed every namespace and cgroup it made ($left namespaces, $cgs cgroups left of runs $(echo $tags))"
exit $fail
