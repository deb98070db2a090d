# SPDX-License-Identifier: GPL-2.0
# Sourced by the lab scripts: the lab's network made of namespaces it
# creates itself — one holding a bridge, one per node, veth pairs created
# directly inside them — and its removal. Nothing is added to the host's
# own namespace; addresses 10.213.0.x/24 exist only in the node
# namespaces. Callers set $nodes and $out, then call netns_up; netns_down
# (on the EXIT trap) kills what "$out"/*.pid names and deletes every
# namespace made.
tag=scl$$
br=$tag-br
made_ns=()
rt=
chrt -r 10 true 2>/dev/null && rt="chrt -r 10"

netns_skip() { echo "lab: cannot run here: $*" >&2; exit 4; }

netns_add() {
	ip netns add "$1" 2>/dev/null || return 1
	made_ns+=("$1")
}

# netns_up: the bridge namespace and $nodes node namespaces, node i with
# address 10.213.0.(i+1) on its eth0.
netns_up() {
	local i
	[ "$(id -u)" = 0 ] || netns_skip "not root: network namespaces need CAP_SYS_ADMIN"
	command -v ip >/dev/null || netns_skip "no ip(8) (iproute2)"
	netns_add "$br" || netns_skip "ip netns add failed (no namespace support or no permission)"
	ip -n "$br" link add br0 type bridge && ip -n "$br" link set br0 up &&
		ip -n "$br" link set lo up || netns_skip "cannot create a bridge in a namespace"
	for ((i = 0; i < nodes; i++)); do
		netns_add "$tag-n$i" || netns_skip "cannot create namespace $tag-n$i"
		ip -n "$br" link add "e$i" type veth peer name eth0 netns "$tag-n$i" ||
			netns_skip "cannot create a veth pair into a namespace"
		ip -n "$br" link set "e$i" master br0 up
		ip -n "$tag-n$i" addr add "10.213.0.$((i + 1))/24" dev eth0
		ip -n "$tag-n$i" link set eth0 up
		ip -n "$tag-n$i" link set lo up
	done
}

netns_down() {
	local f p
	for f in "$out"/*.pid; do
		[ -e "$f" ] || continue
		p=$(head -n1 "$f")
		kill -CONT "$p" 2>/dev/null
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	for p in "${made_ns[@]}"; do ip netns del "$p" 2>/dev/null; done
}
