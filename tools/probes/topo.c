// SPDX-License-Identifier: GPL-2.0
/*
 * smpkit topo: the machine as the kernel describes it -- per-CPU core,
 * package, node and SMT siblings; caches of CPU 0 with their sharing;
 * NUMA nodes with memory and distances -- plus whether we run in a VM.
 * Everything comes from sysfs, libnuma and hwloc (caches.c); nothing is
 * measured.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <numa.h>

#include "caches.h"
#include "probes.h"

static int sysfs_str(char *buf, size_t len, const char *fmt, int a, int b)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), fmt, a, b);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, len, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static double sysfs_num(const char *fmt, int a)
{
	char buf[64];

	if (sysfs_str(buf, sizeof(buf), fmt, a, 0))
		return -1;
	return atof(buf);
}

static void cpus_table(struct out *o)
{
	struct table *t = out_table(o, "cpus", "CPUs",
				    "cpu:0,core:0,package:0,node:0,siblings:s");
	int cpus[CPU_SETSIZE], n = allowed_cpus(cpus, CPU_SETSIZE);
	char sib[128];

	for (int i = 0; i < n; i++) {
		int c = cpus[i];

		if (sysfs_str(sib, sizeof(sib),
			      "/sys/devices/system/cpu/cpu%d/topology/thread_siblings_list",
			      c, 0))
			snprintf(sib, sizeof(sib), "?");
		tbl_row(t, (double)c,
			sysfs_num("/sys/devices/system/cpu/cpu%d/topology/core_id", c),
			sysfs_num("/sys/devices/system/cpu/cpu%d/topology/physical_package_id", c),
			(double)(numa_available() < 0 ? 0 : numa_node_of_cpu(c)),
			sib);
	}
}

/* ways: 0 is unknown, -1 fully associative (JSON: null, "-" in text). */
static void caches_table(struct out *o)
{
	const struct caches *cs = caches_get();
	struct table *t = out_table(o, "caches", "Caches of one CPU",
				    "level:0,type:s,size_kib:0,line:0,ways:0,shared_with:s");

	for (int i = 0; i < cs->n; i++) {
		const struct cache_info *ci = &cs->c[i];

		tbl_row(t, (double)ci->level, ci->type,
			(double)(ci->size >> 10), (double)ci->line,
			ci->ways > 0 ? (double)ci->ways : NAN, ci->shared);
	}
	if (!cs->n)
		out_note(o, "no cache information: hwloc and CPUID name none");
	else if (!strcmp(cs->source, "cpuid"))
		out_note(o, "caches from CPUID as read on CPU %d (hwloc had none); CPUID does not say which CPUs share a cache",
			 cs->cpu);
	else
		out_note(o, "caches of CPU %d from hwloc (sysfs, or CPUID where sysfs has no cache directory)",
			 cs->cpu);
}

static void nodes_tables(struct out *o)
{
	struct table *t = out_table(o, "nodes", "NUMA nodes",
				    "node:0,cpus:s,mem_mib:0,free_mib:0");
	struct table *d = out_table(o, "distances",
				    "Node distances (ACPI SLIT, 10 = local)",
				    "from:0,to:0,distance:0");
	int n = nodes_count(), cpus[CPU_SETSIZE];
	char list[256];

	for (int i = 0; i < n; i++) {
		long long freeb = 0, size = -1;
		cpu_set_t s;
		int k = node_cpus(i, cpus, CPU_SETSIZE);

		CPU_ZERO(&s);
		for (int j = 0; j < k; j++)
			CPU_SET(cpus[j], &s);
		format_cpulist(&s, list, sizeof(list));
		if (numa_available() >= 0)
			size = numa_node_size64(i, &freeb);
		tbl_row(t, (double)i, k ? list : "(none)",
			size < 0 ? -1.0 : size / 1048576.0, freeb / 1048576.0);
		for (int j = 0; j < n; j++)
			tbl_row(d, (double)i, (double)j,
				(double)(numa_available() < 0 ? 10 :
					 numa_distance(i, j)));
	}
	if (n == 1)
		out_note(o, "one NUMA node: remote memory cannot be measured on this machine");
	out_note(o, "node memory grows after boot with deferred struct-page init and need not add up to MemTotal");
}

static void usage(FILE *f)
{
	fprintf(f, "usage: smpkit topo [--csv | -j, --json]\n"
		   "Prints CPUs (core, package, node, SMT siblings), the caches of\n"
		   "CPU 0 (size, line, ways, which CPUs share each), NUMA nodes\n"
		   "(CPUs, memory, free memory, distances) and the VM verdict from\n"
		   "CPUID (hypervisor bit, vendor leaf). Reads sysfs and libnuma;\n"
		   "caches come from hwloc, or from CPUID when hwloc has none\n"
		   "(SMPKIT_CACHES=hwloc|cpuid|none picks one source).\n");
}

int cmd_topo(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		COMMON_LONGOPTS,
		{ 0 }
	};
	struct common_opts c = { 0 };
	struct out o;
	int opt;

	while ((opt = getopt_long(argc, argv, "hj", lo, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		if (!common_opt(&c, opt, optarg) || opt == 'P' || opt == 'r' ||
		    opt == 'q')
			die("topo: bad option (smpkit topo --help)");
	}
	if (optind < argc)
		die("topo: unexpected argument '%s'", argv[optind]);
	out_init(&o, "topo", c.fmt);
	cpus_table(&o);
	caches_table(&o);
	nodes_tables(&o);
	out_note(&o, "VM: %s (CPUID hypervisor bit %s, vendor %s)",
		 o.m.tcg ? "QEMU TCG (emulated CPU)" :
		 o.m.in_vm ? "yes" : "no", o.m.in_vm ? "set" : "clear",
		 o.m.hypervisor);
	out_print(&o);
	out_free(&o);
	return 0;
}
