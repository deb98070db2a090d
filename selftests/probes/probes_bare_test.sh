#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# probes_bare_test: smpkit-bare, the plain-loop reference that
# bench/peers/compare.sh holds the locks probe against, runs every loop
# it names and gives a time for each, pinned where asked; picks loops by
# name; refuses bad input with a message. No time is asserted.
bin=$(cd "$(dirname "$0")/../.." && pwd)/bin/smpkit-bare
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/ktap.sh"
[ -x "$bin" ] || ktap_skip_all "$bin is not built"
ktap_plan 4

cpu=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*\([0-9]*\).*/\1/p' /proc/self/status)
"$bin" --cpu "$cpu" --ms 5 --reps 3 >"$tmp/all" 2>&1
r=$?
names=$(awk '{ print $1 }' "$tmp/all" | tr '\n' ' ')
[ $r = 0 ] && [ "$names" = "tas ttas ticket mcs spin mutex rcu " ] &&
	awk 'NF != 2 || !($2 > 0) { bad = 1 } END { exit bad }' "$tmp/all"
ok $? "every loop runs and has a positive time: $(tr '\n' ' ' <"$tmp/all")"

"$bin" --ms 5 --reps 1 --cs 4 rcu mcs >"$tmp/two" 2>&1
[ $? = 0 ] && [ "$(awk '{ print $1 }' "$tmp/two" | tr '\n' ' ')" = "mcs rcu " ]
ok $? "named loops only, in table order"

bad=0
for args in "--cpu -1" "--cpu x" "--ms 0" "--reps 64" "--cs" "--bogus 1" "nosuch"; do
	# shellcheck disable=SC2086
	"$bin" --ms 1 --reps 1 $args >"$tmp/o" 2>&1
	rc=$?
	if [ $rc != 2 ] || ! grep -q '^smpkit-bare: ' "$tmp/o"; then
		echo "# '$args': exit $rc, $(head -n 1 "$tmp/o")"
		bad=1
	fi
done
ok $bad "bad numbers, a missing value, an unknown option or loop: exit 2 with a message"

"$bin" --help | grep -q '^usage: smpkit-bare'
ok $? "--help"
exit $fail
