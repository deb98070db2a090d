// SPDX-License-Identifier: GPL-2.0
/*
 * Memory placement that is checked, not hoped for: nodes are validated
 * against numa_max_node() (libnuma's numa_alloc_onnode() on a missing
 * node only prints "mbind: Invalid argument" and returns memory), pages
 * are bound with mbind(MPOL_BIND), first-touched by the caller, and then
 * located with move_pages() in query mode.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <numa.h>
#include <numaif.h>
#include <sys/mman.h>

#include "probes.h"

int nodes_count(void)
{
	if (numa_available() < 0)
		return 1;
	return numa_max_node() + 1;
}

void check_node(int node)
{
	int n = nodes_count();

	if (node < 0 || node >= n)
		die("NUMA node %d does not exist (this machine has %d node%s: 0-%d)",
		    node, n, n == 1 ? "" : "s", n - 1);
	if (numa_available() >= 0 && !numa_bitmask_isbitset(numa_nodes_ptr,
							     node))
		die("NUMA node %d has no memory here", node);
}

double place_check(const void *p, size_t len, int node)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t npages = (len + pg - 1) / pg, step, n = 0, good = 0;
	enum { SAMPLES = 1024 };
	void *pages[SAMPLES];
	int status[SAMPLES];

	/* Sample up to 1024 pages spread over the buffer. */
	step = npages > SAMPLES ? npages / SAMPLES : 1;
	for (size_t i = 0; i < npages && n < SAMPLES; i += step)
		pages[n++] = (char *)p + i * pg;
	if (move_pages(0, n, pages, NULL, status, 0))
		die_errno("move_pages (query)");
	for (size_t i = 0; i < n; i++)
		good += status[i] == node;
	return n ? (double)good / n : 0;
}

void *place_alloc(size_t len, int node, bool huge)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		die_errno("cannot map %zu bytes", len);
	if (huge && madvise(p, len, MADV_HUGEPAGE))
		warnx_("madvise(MADV_HUGEPAGE): %s; using small pages",
		       strerror(errno));
	if (node >= 0) {
		unsigned long mask[16] = { 0 };

		check_node(node);
		mask[node / (8 * sizeof(long))] |= 1ul << (node % (8 * sizeof(long)));
		if (mbind(p, len, MPOL_BIND, mask, sizeof(mask) * 8, 0))
			die_errno("mbind to node %d", node);
	}
	/* First touch from the caller's (pinned) CPU allocates the pages. */
	memset(p, 0x5a, len);
	if (node >= 0) {
		double f = place_check(p, len, node);

		if (f < 1.0)
			die("only %.1f%% of the pages landed on node %d",
			    100 * f, node);
	}
	return p;
}

void place_free(void *p, size_t len)
{
	munmap(p, len);
}
