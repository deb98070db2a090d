// SPDX-License-Identifier: GPL-2.0
/*
 * Whether a buffer really sits in transparent huge pages: madvise(
 * MADV_HUGEPAGE) is a wish, which the THP mode, fragmentation and
 * khugepaged decide on. We read AnonHugePages of the mappings that cover
 * the buffer in /proc/self/smaps after the first touch -- per buffer,
 * where the global THP counters would also count other processes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "probes.h"

uint64_t smaps_huge_bytes(FILE *f, uintptr_t lo, uintptr_t hi)
{
	char line[512];
	bool inside = false;
	uint64_t sum = 0, kb;
	uintptr_t a, b;

	while (fgets(line, sizeof(line), f)) {
		/* A mapping's header: "start-end perms offset dev inode path". */
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &a, &b) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			inside = a < hi && b > lo;
			continue;
		}
		if (inside &&
		    sscanf(line, "AnonHugePages: %" SCNu64 " kB", &kb) == 1)
			sum += kb << 10;
	}
	/* A mapping merged with a neighbour may count more than ours. */
	return sum > hi - lo ? hi - lo : sum;
}

double place_huge_fraction(const void *p, size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	uint64_t bytes;

	if (!f)
		return -1;
	bytes = smaps_huge_bytes(f, (uintptr_t)p, (uintptr_t)p + len);
	fclose(f);
	return len ? (double)bytes / len : 0;
}

void thp_mode(char *buf, size_t len)
{
	char line[128], *l, *r;
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	/* "always [madvise] never": the bracketed one is in force. */
	l = fgets(line, sizeof(line), f) ? strchr(line, '[') : NULL;
	r = l ? strchr(l, ']') : NULL;
	if (r) {
		*r = 0;
		snprintf(buf, len, "%s", l + 1);
	}
	fclose(f);
}
