// SPDX-License-Identifier: GPL-2.0
/*
 * Which caches CPU 0 has, from hwloc first: on Linux it reads sysfs, and
 * where a (virtual) machine has no /sys/devices/system/cpu/cpu0/cache it
 * decodes CPUID itself. Our own CPUID decoder (cache_cpuid.c) is the last
 * resort, so the LLC -- and with it memlat's "not DRAM" guard -- is known
 * even where hwloc is told to skip its x86 backend. The result is
 * computed once per process; nothing here is measured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hwloc.h>

#include "caches.h"
#include "probes.h"

static int caches_from_hwloc(struct caches *cs)
{
	hwloc_topology_t topo;
	hwloc_obj_t pu, o;

	cs->n = 0;
	cs->cpu = 0;
	if (hwloc_topology_init(&topo))
		return 0;
	/* hwloc drops L1i by default; topo shows every cache. */
	hwloc_topology_set_icache_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_ALL);
	if (hwloc_topology_load(topo))
		goto out_destroy;
	pu = hwloc_get_pu_obj_by_os_index(topo, 0);
	if (!pu)	/* CPU 0 offline: the first CPU hwloc knows */
		pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, 0);
	if (!pu)
		goto out_destroy;
	cs->cpu = pu->os_index;
	for (o = pu->parent; o && cs->n < CACHES_MAX; o = o->parent) {
		struct cache_info *ci = &cs->c[cs->n];

		if (!hwloc_obj_type_is_cache(o->type))
			continue;
		memset(ci, 0, sizeof(*ci));
		ci->level = o->attr->cache.depth;
		ci->type = o->attr->cache.type == HWLOC_OBJ_CACHE_DATA ? "Data" :
			   o->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION ?
			   "Instruction" : "Unified";
		ci->size = o->attr->cache.size;
		ci->line = o->attr->cache.linesize;
		ci->ways = o->attr->cache.associativity;
		if (hwloc_bitmap_list_snprintf(ci->shared, sizeof(ci->shared),
					       o->cpuset) < 0)
			snprintf(ci->shared, sizeof(ci->shared), "?");
		/* A cache hwloc knows of but could not size tells us nothing. */
		if (ci->size)
			cs->n++;
	}
out_destroy:
	hwloc_topology_destroy(topo);
	return cs->n;
}

static int cache_cmp(const void *a, const void *b)
{
	const struct cache_info *x = a, *y = b;

	if (x->level != y->level)
		return x->level - y->level;
	return strcmp(x->type, y->type);	/* Data < Instruction < Unified */
}

static struct caches the_caches;
static bool have_caches;

const struct caches *caches_get(void)
{
	const char *want = getenv("SMPKIT_CACHES");
	struct caches *cs = &the_caches;

	if (have_caches)
		return cs;
	have_caches = true;
	if (want && !*want)
		want = NULL;
	if (want && strcmp(want, "hwloc") && strcmp(want, "cpuid") &&
	    strcmp(want, "none"))
		die("SMPKIT_CACHES wants hwloc, cpuid or none, not '%s'", want);
	cs->source = "none";
	if ((!want || !strcmp(want, "hwloc")) && caches_from_hwloc(cs))
		cs->source = "hwloc";
	else if ((!want || !strcmp(want, "cpuid")) && caches_from_cpuid(cs))
		cs->source = "cpuid";
	else
		cs->n = 0;
	qsort(cs->c, cs->n, sizeof(cs->c[0]), cache_cmp);
	return cs;
}

uint64_t llc_size(void)
{
	const struct caches *cs = caches_get();
	uint64_t best = 0;

	for (int i = 0; i < cs->n; i++)
		if (strcmp(cs->c[i].type, "Instruction") &&
		    cs->c[i].size > best)
			best = cs->c[i].size;
	return best;
}
