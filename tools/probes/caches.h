/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The caches of one CPU, from hwloc (which reads sysfs on Linux and the
 * CPUID leaves where sysfs has no cache directory) or, as a last resort,
 * from CPUID here (cache_cpuid.c). topo prints them; the LLC size drives
 * memlat's default range and its "not DRAM" guards.
 */
#ifndef SMPKIT_CACHES_H
#define SMPKIT_CACHES_H

#include <stdbool.h>
#include <stdint.h>

#define CACHES_MAX 8

struct cache_info {
	int level;
	const char *type;	/* "Data", "Instruction" or "Unified" */
	uint64_t size;		/* bytes */
	int line, ways;		/* ways: 0 unknown, -1 fully associative */
	char shared[64];	/* CPU list sharing it, "?" when unknown */
};

struct caches {
	int n;
	struct cache_info c[CACHES_MAX];
	const char *source;	/* "hwloc", "cpuid" or "none" */
	int cpu;		/* whose caches these are */
};

/*
 * The caches of CPU 0, sorted by level (data before instruction), from
 * the first source that knows any. SMPKIT_CACHES=hwloc|cpuid|none picks
 * one source only (tests, and comparing the two). Computed once.
 */
const struct caches *caches_get(void);
/* Largest data or unified cache, 0 when no source knows. */
uint64_t llc_size(void);

/* cache_cpuid.c: CPUID as a source; fills @cs, returns the count. */
int caches_from_cpuid(struct caches *cs);

/*
 * Pure decoders (unit-tested with known register values): one subleaf of
 * leaf 4 (Intel) or 0x8000001D (AMD, same layout), false on the
 * terminating null type; and AMD's legacy leaves 0x80000005/6, for CPUs
 * (and hypervisors) without topology extensions. Returns the count.
 */
bool cpuid_decode_det(uint32_t eax, uint32_t ebx, uint32_t ecx,
		      struct cache_info *ci);
int cpuid_decode_amd_legacy(uint32_t ecx5, uint32_t edx5, uint32_t ecx6,
			    uint32_t edx6, struct cache_info *ci, int max);

#endif
