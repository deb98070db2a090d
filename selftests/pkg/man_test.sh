#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# man_test: each man page names exactly the options its program's --help
# lists (so neither drifts from the other), and groff and mandoc render
# every page without a warning or an error.
. "$(dirname "$0")/pkglib.sh" || exit 1
need_cmd groff groff
pages="wsched-run.8 tvmm.1 smpkit.1 smpkit-bench.1 smpkit-cpumix.1 libwsched.3"
for m in $pages; do
	[ -f "$build/man/$m" ] ||
		ktap_skip_all "$build/man/$m is not built (make man; needs rst2man from python3-docutils)"
done
ktap_plan 13

# The options a text names: --long ones and -h, one per line.
opts() {
	grep -oE -- '(^|[^a-z0-9-])(--[a-z][a-z0-9-]*|-h)\b' |
		sed 's/^[^-]*//' | sort -u
}

# The page as a reader sees it: plain ASCII, no hyphenation, long lines.
render() {
	groff -man -Tascii -P-cbou -rHY=0 -rLL=200n "$build/man/$1" 2>/dev/null
}

# same PAGE HELP-TEXT: the page's options are the --help's.
same() {
	local page=$1 help=$2 diff
	diff=$(diff <(echo "$help" | opts) <(render "$page" | opts) |
		grep '^[<>]' | tr '\n' ' ')
	[ -z "$diff" ]
	ok $? "$page names the options of --help and no other (< help only, > page only: $diff)"
}

b=$build/bin
same wsched-run.8 "$("$b/wsched-run" --help)"
same tvmm.1 "$("$b/tvmm" --help)"
same smpkit-bench.1 "$("$b/smpkit-bench" --help)"
same smpkit-cpumix.1 "$("$b/smpkit-cpumix" --help)"
# smpkit: its own usage, then each probe's (the list comes from the usage).
help=$("$b/smpkit" --help)
for p in $(echo "$help" | awk '/^probes:/ {on=1; next} on && /^  [a-z]/ {print $1}'); do
	help+=$'\n'$("$b/smpkit" "$p" --help)
done
help+=$'\n'$("$b/smpkit" memlat --matrix --help)
same smpkit.1 "$help"

# libwsched(3): the synopsis declares every function of libwsched.h.
hdr=$(sed -n 's/^[a-z].*[ *]\(wsched_[a-z_]*\)(.*/\1/p' "$top/tools/include/libwsched.h" | sort -u)
page=$(render libwsched.3 | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | grep -o 'wsched_[a-z_]*(' | tr -d '(' | sort -u)
missing=$(comm -3 <(echo "$hdr") <(echo "$page") | tr -d '\t' | tr '\n' ' ')
[ -n "$hdr" ] && [ -z "$missing" ]
ok $? "libwsched(3) declares the $(echo "$hdr" | wc -l) functions of libwsched.h (differ: $missing)"

for m in $pages; do
	err=$(groff -man -ww -z -Tutf8 "$build/man/$m" 2>&1)
	[ -z "$err" ]
	ok $? "groff -ww renders $m without a warning $(echo "$err" | head -n 1)"
done
if command -v mandoc >/dev/null; then
	# rst2man's output draws style warnings from mandoc (.sp after .SH,
	# .ft C) that groff, which man(1) uses on Debian, does not share.
	err=$(cd "$build/man" && mandoc -T lint -W error $pages 2>&1)
	[ -z "$err" ]
	ok $? "mandoc -T lint -W error: no error in the six pages $(echo "$err" | head -n 1)"
else
	skip "mandoc not installed (apt-get install mandoc)"
fi
exit $fail
