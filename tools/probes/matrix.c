// SPDX-License-Identifier: GPL-2.0
/*
 * smpkit memlat --matrix: CPU on node i, memory on node j, for every
 * pair of the chosen nodes: idle load latency (the pointer chase) and
 * bandwidth (read and copy; one thread, then every CPU of node i). The
 * memory is bound to j, first-touched from i and verified with
 * move_pages() before any number is taken.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <numa.h>

#include "caches.h"
#include "probes.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: smpkit memlat --matrix [-n LIST] [-s SIZE] [-d MS] [options]\n"
		"Node x node matrix: a thread on the first CPU of node i chases pointers\n"
		"(median ns per load) and streams (GB/s read and copy) through SIZE\n"
		"bytes bound to node j; bandwidth again with every CPU of node i.\n"
		"On one NUMA node only the local cell exists: remote memory cannot be\n"
		"measured there, and none is invented.\n"
		"  -n, --nodes LIST  nodes to cover (default: all)\n"
		"  -s, --size SIZE working set (default 4 x LLC, 128M when no cache size\n"
		"                  is known, at most a quarter of the node's free memory;\n"
		"                  --quick: 16M); a note says when it is not past 2 x LLC\n"
		"  -d, --duration MS  one bandwidth run (default 100; --quick 10)\n"
		"  --hugepages     ask for transparent huge pages; a note says how much\n"
		"                  of the worst cell's buffer got them (smaps)\n"
		COMMON_HELP);
}

/* Medians of @reps read and copy runs of @nt threads, like every value. */
static void bw_cell(void *buf, size_t size, const int *cpus, int nt,
		    int reps, unsigned int ms, double *rd, double *cp)
{
	double *r = calloc(reps, sizeof(*r)), *c = calloc(reps, sizeof(*c));
	struct stats st;

	if (!r || !c)
		die("out of memory");
	for (int k = 0; k < reps; k++) {
		r[k] = bw_measure(buf, size, cpus, nt, false, ms);
		c[k] = bw_measure(buf, size, cpus, nt, true, ms);
	}
	stats_compute(r, reps, &st);
	*rd = st.median;
	stats_compute(c, reps, &st);
	*cp = st.median;
	free(r);
	free(c);
}

int cmd_matrix(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "matrix", no_argument, NULL, 'x' },
		{ "nodes", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "hugepages", no_argument, NULL, 'H' },
		COMMON_LONGOPTS,
		{ 0 }
	};
	static int nodes[CPU_SETSIZE], cpus[CPU_SETSIZE];
	struct common_opts c = { 0 };
	int nn = 0, opt;
	uint64_t size = 0, ms = 0;
	double huge_frac = -2, fr;	/* -2: no cell yet; -1: unknown */
	bool huge = false;
	struct table *lat, *bw;
	cpu_set_t ns;
	char err[128];
	struct out o;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "hn:s:d:" COMMON_SHORTOPTS, lo,
				  NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case 'x':
			break;
		case 'n':
			if (parse_cpulist(optarg, &ns, err, sizeof(err)))
				die("memlat: bad --nodes '%s': %s", optarg, err);
			for (int i = 0; i < CPU_SETSIZE; i++)
				if (CPU_ISSET(i, &ns)) {
					check_node(i);
					nodes[nn++] = i;
				}
			break;
		case 's':
			if (!parse_size(optarg, &size) || size < 64 * 1024)
				die("memlat: --size wants at least 64K, not '%s'",
				    optarg);
			break;
		case 'd':
			if (!parse_u64(optarg, 1, 60000, &ms))
				die("memlat: --duration wants 1 to 60000 ms, not '%s'",
				    optarg);
			break;
		case 'H':
			huge = true;
			break;
		default:
			if (!common_opt(&c, opt, optarg))
				die("memlat: bad option (smpkit memlat --matrix --help)");
		}
	}
	if (optind < argc)
		die("memlat: unexpected argument '%s'", argv[optind]);
	if (!nn)
		for (int i = 0; i < nodes_count(); i++)
			if (numa_available() < 0 ||
			    numa_bitmask_isbitset(numa_nodes_ptr, i))
				nodes[nn++] = i;
	if (!c.reps)
		c.reps = c.quick ? 3 : 9;
	if (!ms)
		ms = c.quick ? 10 : 100;
	if (!size) {
		size = c.quick ? 16u << 20 : 4 * (llc_size() ? llc_size() : 32u << 20);
		for (int j = 0; j < nn; j++) {
			long long fr = 0;

			if (numa_available() >= 0)
				numa_node_size64(nodes[j], &fr);
			if (fr > 0 && size > (uint64_t)fr / 4)
				size = (uint64_t)fr / 4 / 4096 * 4096;
		}
	}
	for (int j = 0; j < nn; j++) {
		long long fr = 0;

		if (numa_available() >= 0)
			numa_node_size64(nodes[j], &fr);
		if (fr > 0 && size > (uint64_t)fr / 2)
			die("memlat: --size %llu MiB is more than half of node %d's free memory",
			    (unsigned long long)(size >> 20), nodes[j]);
	}

	out_init(&o, "memlat-matrix", c.fmt);
	lat = out_table(&o, "latency", "Idle load latency, CPU node x memory node (ns)",
			"cpu_node:0,mem_node:0,cpu:0,ns:2,spread:3");
	bw = out_table(&o, "bandwidth", "Bandwidth, CPU node x memory node (GB/s)",
		       "cpu_node:0,mem_node:0,threads:0,read_gbs:2,copy_gbs:2");
	noise_begin();
	for (int i = 0; i < nn; i++) {
		int k = node_cpus(nodes[i], cpus, CPU_SETSIZE);

		if (!k) {
			out_note(&o, "node %d has no CPU we may use: no row for it",
				 nodes[i]);
			continue;
		}
		for (int j = 0; j < nn; j++) {
			struct stats st;
			double rd, cp;
			void *buf;

			pin_self(cpus[0]);
			buf = place_alloc(size, nodes[j], huge);
			/* The note reports the worst cell. */
			fr = place_huge_fraction(buf, size);
			if (fr < huge_frac || huge_frac < -1.5)
				huge_frac = fr;
			chase_latency(buf, size, CACHELINE, c.reps,
				      c.quick ? 20000 : 200000,
				      c.quick ? CHASE_BATCH_NS / 2 :
				      CHASE_BATCH_NS, &st);
			tbl_row(lat, (double)nodes[i], (double)nodes[j],
				(double)cpus[0], st.median, stats_spread(&st));
			for (int t = 0; t < 2; t++) {
				int nt = t ? k : 1;

				bw_cell(buf, size, cpus, nt, c.reps, ms, &rd,
					&cp);
				tbl_row(bw, (double)nodes[i], (double)nodes[j],
					(double)nt, rd, cp);
				if (k == 1)
					break;
			}
			place_free(buf, size);
		}
	}
	noise_end(&o.noise);
	o.have_noise = true;
	if (nodes_count() == 1)
		out_note(&o, "one NUMA node: remote memory cannot be measured on this machine; only the local cell is shown");
	out_note(&o, "working set %llu KiB on each node, placement verified with move_pages; latency: median of %d batches, bandwidth: median of %d runs of %llu ms",
		 (unsigned long long)(size >> 10), c.reps, c.reps,
		 (unsigned long long)ms);
	if (huge_frac > -1.5)
		pages_note(&o, huge, huge_frac, size);
	/* The guard: cells are DRAM only past twice a known LLC. */
	if (!o.m.llc_bytes)
		out_note(&o, "LLC size unknown (neither hwloc nor CPUID names a cache): these may be cache numbers, not DRAM");
	else if (size < 2 * o.m.llc_bytes)
		out_note(&o, "the set is not beyond 2x the LLC (%llu KiB, %s): these are cache numbers, not DRAM (use --size)",
			 (unsigned long long)(o.m.llc_bytes >> 10),
			 o.m.llc_source);
	if (o.m.tcg)
		out_note(&o, "QEMU TCG: emulated NUMA nodes share the host's memory; local and remote look alike by construction");
	out_print(&o);
	if (c.plot)
		plot_heatmap(c.plot, lat, 0, 1, 3, "ns per load");
	out_free(&o);
	return 0;
}
