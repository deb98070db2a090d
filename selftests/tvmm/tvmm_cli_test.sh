#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tvmm_cli_test: tvmm and each subcommand answer --help with the usage on
# stdout and exit 0; no command, an unknown command or option, and a bad
# value are refused with a message that names the option, and exit 2
# (tvmm's usage error), so are an unknown --flows name and any argument
# to probe; xlate refuses a GVA wider than 64 bits; an image
# that is a FIFO or a device is refused at once, not waited on.
bin=$(cd "$(dirname "$0")/../.." && pwd)/bin/tvmm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/ktap.sh"
[ -x "$bin" ] || ktap_skip_all "$bin is not built"
ktap_plan 23

"$bin" --help 2>/dev/null | grep -q "^usage: tvmm run"
ok $? "tvmm --help prints the usage"
for c in run xlate bench idle probe; do
	out=$("$bin" "$c" --help 2>/dev/null)
	rc=$?
	[ "$rc" = 0 ] && grep -q "^usage: tvmm" <<<"$out"
	ok $? "tvmm $c --help prints the usage and exits 0 ($rc)"
done
# refused CMD...: exit 2 with a message on stderr.
refused() {
	local err rc
	err=$("$bin" "$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = 2 ] && [ -n "$err" ]
}
# refused_says TEXT CMD...: refused, and stderr has TEXT in it.
refused_says() {
	local text=$1 err rc
	shift
	err=$("$bin" "$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = 2 ] && grep -qF -- "$text" <<<"$err" && return 0
	echo "# tvmm $*: exit $rc, said: $err"
	return 1
}
refused
ok $? "no command: exit 2 with the usage"
refused frobnicate
ok $? "unknown command: exit 2 with a message"
refused run --frobnicate
ok $? "unknown option: exit 2 with a message"
refused run --vcpus 0
ok $? "--vcpus 0: exit 2 with a message"
# The message named "--option" for every option.
refused_says "bad value '0' for --vcpus" run --vcpus 0
ok $? "run --vcpus 0: the message names --vcpus"
refused_says "bad value '12Q' for --mem" xlate --mem 12Q
ok $? "xlate --mem 12Q: the message names --mem"
refused_says "bad value '99999' for --timeout" bench --timeout=99999
ok $? "bench --timeout=99999: the message names --timeout"
# --flows took any string and ran the flows its substrings named.
refused_says "bad value 'direct,bogus' for --flows" run --flows direct,bogus
ok $? "run --flows direct,bogus: an unknown flow is refused, named"
# The irqchip is the default; the scenarios that need it refuse to lose it.
refused_says "scenario 'ipi' needs interrupts: not with --no-irqchip" \
	run --no-irqchip --scenario ipi --vcpus 2
ok $? "run --no-irqchip --scenario ipi: refused before any VM, named"
# probe took no options and ignored whatever it was given.
refused_says "bad value '99' for --reps" idle --reps 99
ok $? "idle --reps 99: the message names --reps"
refused_says "probe takes no options or arguments, not '--vcpus'" probe --vcpus 2
ok $? "probe --vcpus 2: refused, the option named"
refused_says "not 'extra'" probe extra
ok $? "probe extra: refused, the argument named"
# GVAs are checked before any VM exists; --mem 1M, refused only after
# them, keeps an accepted GVA from booting one. strtoull saturated the
# wide ones to 2^64-1 and xlate walked that.
refused_says "'0x10000000000000000' is not a 64-bit address" \
	xlate --mem 1M 0x10000000000000000
ok $? "xlate refuses the 65-bit GVA 0x10000000000000000"
refused_says "'18446744073709551616' is not a 64-bit address" \
	xlate --mem 1M 0x1000 18446744073709551616
ok $? "xlate refuses 2^64 in decimal after a good GVA"
refused_says "--mem must be" xlate --mem 1M 0xffffffffffffffff 0 4096
ok $? "xlate takes 2^64-1, 0 and 4096 (then --mem 1M stops it)"
# open() of a FIFO with no writer blocks for ever unless it is told not
# to: the image check came after it. timeout's 124 is a failure here.
mkfifo "$tmp/fifo"
err=$(timeout 10 "$bin" run "$tmp/fifo" 2>&1 >/dev/null)
rc=$?
[ "$rc" = 2 ] && grep -q "not a regular file" <<<"$err"
ok $? "a FIFO image is refused at once, exit 2 ($rc: $err)"
err=$(timeout 10 "$bin" run /dev/null 2>&1 >/dev/null)
rc=$?
[ "$rc" = 2 ] && grep -q "not a regular file" <<<"$err"
ok $? "a device image is refused, exit 2 ($rc)"
exit $fail
