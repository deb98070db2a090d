# SPDX-License-Identifier: GPL-2.0
# KTAP for the shell tests, in POSIX sh (the in-VM ones run under busybox).
# Source it, call ktap_plan N (or ktap_skip_all REASON), then one ok or
# skip per case, and end with "exit $fail". Exit 4 is the runner's SKIP.
n=0
fail=0

ktap_plan() {
	echo "TAP version 13"
	echo "1..$1"
}

# ktap_skip_all REASON: nothing of this test can run here.
ktap_skip_all() {
	echo "TAP version 13"
	echo "1..0 # SKIP $1"
	exit 4
}

# ok RC DESCRIPTION: the next case, passed when RC is 0.
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fail=1
	fi
}

skip() {
	n=$((n + 1))
	echo "ok $n # SKIP $1"
}
