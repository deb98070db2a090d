# SPDX-License-Identifier: GPL-2.0
# Sourced by lab.sh: the cgroup-freeze fence agent. Each node runs in a
# cgroup of its own that the lab makes (cgroup v2's cgroup.freeze where
# the unified hierarchy has it, else the v1 freezer); "power off" freezes
# it: the node keeps its memory but runs no instruction, as a machine
# whose power was cut would not. The lab resets a frozen node later
# (SIGKILL, thaw, start again). Callers set $tag and $out; freeze_up
# writes "$out/cg" (kind and directory) for the agent, freeze_down thaws
# and removes every cgroup made.
cg_kind= cg_dir=

freeze_up() {
	local want=${1:-any} v2 v1=/sys/fs/cgroup/freezer i
	for v2 in /sys/fs/cgroup /sys/fs/cgroup/unified; do
		[ "$want" = v1 ] && break
		[ "$(stat -f -c %T "$v2" 2>/dev/null)" = cgroup2fs ] || continue
		mkdir "$v2/$tag" 2>/dev/null || continue
		if [ -e "$v2/$tag/cgroup.freeze" ]; then
			cg_kind=v2 cg_dir=$v2/$tag
			break
		fi
		rmdir "$v2/$tag"
	done
	if [ -z "$cg_kind" ] && [ "$want" != v2 ] && mkdir "$v1/$tag" 2>/dev/null; then
		if [ -e "$v1/$tag/freezer.state" ]; then
			cg_kind=v1 cg_dir=$v1/$tag
		else
			rmdir "$v1/$tag"
		fi
	fi
	[ -n "$cg_kind" ] || return 1
	for ((i = 0; i < nodes; i++)); do mkdir "$cg_dir/n$i" || return 1; done
	echo $$ >"$out/lab.mntns-pid"
	echo "$cg_kind $cg_dir" >"$out/cg"
}

# freeze_set KIND DIR 1|0: freeze or thaw, and wait (2 s at most) until
# the kernel says it is done.
freeze_set() {
	local k
	if [ "$1" = v2 ]; then
		echo "$3" >"$2/cgroup.freeze" || return 1
		for ((k = 0; k < 40; k++)); do
			grep -qx "frozen $3" "$2/cgroup.events" && return 0
			sleep 0.05
		done
	else
		local want=THAWED
		[ "$3" = 1 ] && want=FROZEN
		echo "$want" >"$2/freezer.state" || return 1
		for ((k = 0; k < 40; k++)); do
			[ "$(cat "$2/freezer.state")" = "$want" ] && return 0
			sleep 0.05
		done
	fi
	return 1
}

# The agent: lab.sh fence DIR TARGET calls this when DIR/cg exists.
freeze_fence() {
	local kind dir
	read -r kind dir <"$1/cg" || return 1
	wc -l <"$1/n$2.log" >"$1/n$2.frozen-lines"
	freeze_set "$kind" "$dir/n$2" 1 || return 1
	# lines written after the count but before the freeze took
	wc -l <"$1/n$2.log" >"$1/n$2.frozen-lines"
	echo "$(date +%s.%N) fence n$2 freeze" >>"$1/fences"
	touch "$1/n$2.down"
}

# Reset a frozen node: it must have logged nothing while frozen.
freeze_reset() {
	local i=$1 pid
	[ -e "$out/n$i.frozen-lines" ] || return 0
	if [ "$(wc -l <"$out/n$i.log")" != "$(cat "$out/n$i.frozen-lines")" ]; then
		echo "lab: n$i logged while frozen" | tee -a "$out/frozen-ran"
	fi
	pid=$(head -n1 "$out/n$i.pid")
	kill -KILL "$pid" 2>/dev/null
	freeze_set "$cg_kind" "$cg_dir/n$i" 0
	rm -f "$out/n$i.frozen-lines"
}

freeze_down() {
	local i k
	[ -n "$cg_kind" ] || return 0
	for ((i = 0; i < nodes; i++)); do
		[ -d "$cg_dir/n$i" ] || continue
		[ -e "$out/n$i.pid" ] && kill -KILL "$(head -n1 "$out/n$i.pid")" 2>/dev/null
		freeze_set "$cg_kind" "$cg_dir/n$i" 0
	done
	for ((k = 0; k < 40; k++)); do
		for ((i = 0; i < nodes; i++)); do rmdir "$cg_dir/n$i" 2>/dev/null; done
		rmdir "$cg_dir" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "lab: could not remove $cg_dir" >&2
}
