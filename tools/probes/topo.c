// SPDX-License-Identifier: GPL-2.0
/*
 * smpkit topo: the machine as the kernel describes it -- per-CPU core,
 * package, node and SMT siblings; caches of CPU 0 with their sharing;
 * NUMA nodes with memory and distances -- plus whether we run in a VM.
 * Everything comes from sysfs and libnuma; nothing is measured.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <numa.h>

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

static int cache_attr(int idx, const char *leaf, char *buf, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path),
		 "/sys/devices/system/cpu/cpu0/cache/index%d/%s", idx, leaf);
	return sysfs_str(buf, len, path, 0, 0);
}

static void caches_table(struct out *o)
{
	struct table *t = out_table(o, "caches", "Caches seen from CPU 0",
				    "level:0,type:s,size_kib:0,line:0,ways:0,shared_with:s");
	char type[32], size[32], shared[128], line[32], ways[32], lvl[16];
	uint64_t sz;

	for (int i = 0; i < 8; i++) {
		if (cache_attr(i, "type", type, sizeof(type)))
			break;
		if (cache_attr(i, "size", size, sizeof(size)) ||
		    !parse_size(size, &sz))
			sz = 0;
		if (cache_attr(i, "level", lvl, sizeof(lvl)))
			snprintf(lvl, sizeof(lvl), "0");
		if (cache_attr(i, "coherency_line_size", line, sizeof(line)))
			snprintf(line, sizeof(line), "0");
		if (cache_attr(i, "ways_of_associativity", ways, sizeof(ways)))
			snprintf(ways, sizeof(ways), "0");
		if (cache_attr(i, "shared_cpu_list", shared, sizeof(shared)))
			snprintf(shared, sizeof(shared), "?");
		tbl_row(t, atof(lvl), type, (double)(sz >> 10), atof(line),
			atof(ways), shared);
	}
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
	fprintf(f, "usage: smpkit topo [--csv|--json]\n"
		   "Prints CPUs (core, package, node, SMT siblings), the caches of\n"
		   "CPU 0 (size, line, ways, which CPUs share each), NUMA nodes\n"
		   "(CPUs, memory, free memory, distances) and the VM verdict from\n"
		   "CPUID (hypervisor bit, vendor leaf). Reads sysfs and libnuma only.\n");
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

	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		if (!common_opt(&c, opt, optarg) || opt == 'P' || opt == 'R' ||
		    opt == 'Q')
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
