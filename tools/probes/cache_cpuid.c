// SPDX-License-Identifier: GPL-2.0
/*
 * Caches from CPUID, the source of last resort (hwloc does the same when
 * it must, but may be told not to): leaf 4 on Intel, 0x8000001D on AMD
 * with topology extensions, else AMD's legacy 0x80000005/6 -- which is
 * what this project's AMD host under bhyve offers (no topoext, no sysfs
 * cache directory). CPUID describes the CPU that executes it; the
 * decoders are pure so the selftest feeds them known registers.
 */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#ifdef __x86_64__
#include <cpuid.h>
#endif

#include "caches.h"

static const char *const det_types[4] = {
	NULL, "Data", "Instruction", "Unified"
};

bool cpuid_decode_det(uint32_t eax, uint32_t ebx, uint32_t ecx,
		      struct cache_info *ci)
{
	uint32_t type = eax & 0x1f;
	uint64_t ways = (ebx >> 22) + 1, parts = ((ebx >> 12) & 0x3ff) + 1;
	uint64_t line = (ebx & 0xfff) + 1, sets = (uint64_t)ecx + 1;

	/* Type 0 ends the list; 4-31 are reserved: stop there too. */
	if (type == 0 || type > 3)
		return false;
	memset(ci, 0, sizeof(*ci));
	ci->level = (eax >> 5) & 7;
	ci->type = det_types[type];
	ci->size = ways * parts * line * sets;
	ci->line = line;
	ci->ways = (eax & (1u << 9)) ? -1 : (int)ways;
	/*
	 * EAX[25:14] is an upper bound on the APIC IDs sharing the cache,
	 * not a CPU list: say that much and no more.
	 */
	snprintf(ci->shared, sizeof(ci->shared), "? (up to %u)",
		 ((eax >> 14) & 0xfff) + 1);
	return true;
}

/* L2/L3 associativity code of 0x80000006 (AMD APM vol. 3, E.4.4). */
static int amd_l23_ways(uint32_t code)
{
	static const int ways[16] = {
		[1] = 1, [2] = 2, [3] = 3, [4] = 4, [5] = 6, [6] = 8,
		[8] = 16, [0xa] = 32, [0xb] = 48, [0xc] = 64, [0xd] = 96,
		[0xe] = 128, [0xf] = -1,
	};

	/* 9: "see 0x8000001D", which a CPU without topoext lacks: unknown. */
	return ways[code & 0xf];
}

static void amd_entry(struct cache_info *ci, int level, const char *type,
		      uint64_t size, int line, int ways)
{
	memset(ci, 0, sizeof(*ci));
	ci->level = level;
	ci->type = type;
	ci->size = size;
	ci->line = line;
	ci->ways = ways;
	snprintf(ci->shared, sizeof(ci->shared), "?");
}

int cpuid_decode_amd_legacy(uint32_t ecx5, uint32_t edx5, uint32_t ecx6,
			    uint32_t edx6, struct cache_info *ci, int max)
{
	int n = 0;

	/* L1: size in KiB [31:24], ways [23:16] (0xff: fully), line [7:0]. */
	if (n < max && ecx5 >> 24)
		amd_entry(&ci[n++], 1, "Data", (uint64_t)(ecx5 >> 24) << 10,
			  ecx5 & 0xff, ((ecx5 >> 16) & 0xff) == 0xff ? -1 :
			  (int)((ecx5 >> 16) & 0xff));
	if (n < max && edx5 >> 24)
		amd_entry(&ci[n++], 1, "Instruction",
			  (uint64_t)(edx5 >> 24) << 10, edx5 & 0xff,
			  ((edx5 >> 16) & 0xff) == 0xff ? -1 :
			  (int)((edx5 >> 16) & 0xff));
	/* L2: KiB in [31:16]; code 0 in [15:12] means no L2. */
	if (n < max && ecx6 >> 16 && (ecx6 >> 12) & 0xf)
		amd_entry(&ci[n++], 2, "Unified", (uint64_t)(ecx6 >> 16) << 10,
			  ecx6 & 0xff, amd_l23_ways(ecx6 >> 12));
	/* L3: 512 KiB units in [31:18]. */
	if (n < max && edx6 >> 18 && (edx6 >> 12) & 0xf)
		amd_entry(&ci[n++], 3, "Unified", (uint64_t)(edx6 >> 18) << 19,
			  edx6 & 0xff, amd_l23_ways(edx6 >> 12));
	return n;
}

int caches_from_cpuid(struct caches *cs)
{
	cs->n = 0;
#ifdef __x86_64__
	unsigned int a, b, c, d, max_ext, leaf = 4;
	char vendor[13];

	cs->cpu = sched_getcpu();
	__cpuid(0, a, b, c, d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = 0;
	max_ext = __get_cpuid_max(0x80000000, NULL);
	if (!strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine")) {
		/* Leaf 4 is reserved on AMD: topoext's 0x8000001D or legacy. */
		__cpuid(0x80000001, a, b, c, d);
		if (!(max_ext >= 0x8000001d && (c & (1u << 22)))) {
			unsigned int c5, d5, c6, d6;

			if (max_ext < 0x80000006)
				return 0;
			__cpuid(0x80000005, a, b, c5, d5);
			__cpuid(0x80000006, a, b, c6, d6);
			cs->n = cpuid_decode_amd_legacy(c5, d5, c6, d6, cs->c,
							CACHES_MAX);
			return cs->n;
		}
		leaf = 0x8000001d;
	} else if (__get_cpuid_max(0, NULL) < 4) {
		return 0;
	}
	for (unsigned int i = 0; cs->n < CACHES_MAX; i++) {
		__cpuid_count(leaf, i, a, b, c, d);
		if (!cpuid_decode_det(a, b, c, &cs->c[cs->n]))
			break;
		cs->n++;
	}
#endif
	return cs->n;
}
