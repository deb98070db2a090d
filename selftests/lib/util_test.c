// SPDX-License-Identifier: GPL-2.0
/* util_test: the shared parsers accept the kernel's formats and reject junk. */
#include <smpkit/util.h>

#include "ktap.h"

static bool list_is(const char *s, const char *want)
{
	char err[128], buf[256];
	cpu_set_t set;

	if (parse_cpulist(s, &set, err, sizeof(err)))
		return false;
	format_cpulist(&set, buf, sizeof(buf));
	return !strcmp(buf, want);
}

static bool list_bad(const char *s)
{
	char err[128];
	cpu_set_t set;

	return parse_cpulist(s, &set, err, sizeof(err)) == -1 && err[0];
}

/* Refused, with @why in the message (a wrapped list used to pass). */
static bool list_bad_why(const char *s, const char *why)
{
	char err[128];
	cpu_set_t set;

	if (parse_cpulist(s, &set, err, sizeof(err)) != -1)
		return false;
	if (!strstr(err, why)) {
		ktap_diag("'%s': %s", s, err);
		return false;
	}
	return true;
}

int main(void)
{
	uint64_t v = 0;

	ktap_plan(17);
	ktap_ok(list_is("0-3,6", "0-3,6"), "cpulist 0-3,6 round-trips");
	ktap_ok(list_is("3,1,2", "1-3"), "cpulist merges adjacent CPUs");
	ktap_ok(list_is("0-7:2", "0,2,4,6"), "cpulist honours a stride");
	ktap_ok(list_bad(""), "empty cpulist is refused");
	ktap_ok(list_bad("3-1"), "reversed range is refused");
	ktap_ok(list_bad("0,,1") && list_bad("a") && list_bad("1-"),
		"malformed cpulists are refused");
	ktap_ok(list_bad("99999"), "CPU beyond CPU_SETSIZE is refused");
	/* 1 + (2^64 - 1) wrapped to CPU 0: the list gave CPUs 0 and 1. */
	ktap_ok(list_bad_why("1-1:18446744073709551615", "stride") &&
		list_bad_why("0-1023:18446744073709551615", "stride"),
		"a stride that wraps the CPU number is refused");
	ktap_ok(list_bad_why("0-3:1024", "stride") &&
		list_bad_why("0-3:0", "stride"),
		"strides of 0 and past CPU_SETSIZE are refused, saying so");
	ktap_ok(list_is("1-1:1023", "1") && list_is("0-1023:1023", "0,1023") &&
		list_is("1020-1023:2", "1020,1022"),
		"strides up to the CPU limit stop at the range's end");
	ktap_ok(list_bad_why("18446744073709551616", "out of range") &&
		list_bad_why("0-18446744073709551616", "out of range") &&
		list_bad_why("0-3:99999999999999999999", "out of range"),
		"numbers past ULONG_MAX are refused as out of range");
	ktap_ok(list_bad("-1") && list_bad(" 1") && list_bad("+1") &&
		list_bad("1-+3") && list_bad("0-3: 2") && list_bad("0-3:2x") &&
		list_bad("1 ") && list_bad("0x1"),
		"signs, blanks and trailing junk are refused");
	ktap_ok(parse_size("64K", &v) && v == 65536, "size 64K");
	ktap_ok(parse_size("2MiB", &v) && v == 2 << 20, "size 2MiB");
	ktap_ok(!parse_size("12Q", &v) && !parse_size("-1", &v) &&
		!parse_size("99999999999G", &v), "bad sizes are refused");
	ktap_ok(parse_u64("20000", 1, 1000000, &v) && v == 20000, "u64 in range");
	ktap_ok(!parse_u64("0", 1, 10, &v) && !parse_u64("11", 1, 10, &v) &&
		!parse_u64("5x", 1, 10, &v), "u64 out of range or junk is refused");
	return ktap_finish();
}
