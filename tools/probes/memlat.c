// SPDX-License-Identifier: GPL-2.0
/*
 * smpkit memlat: the load-to-use latency curve. One pinned thread chases
 * a random single-cycle permutation (chase.c) over working sets from
 * 4 KiB to 4x the LLC, on memory bound to a verified node; each point is
 * the median of batches after a warm-up pass. --matrix goes to matrix.c.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <numa.h>

#include "caches.h"
#include "chase.h"
#include "probes.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: smpkit memlat [-c, --cpu N] [-n, --node M] [--min SIZE] [--max SIZE]\n"
		"                     [--stride B] [--hugepages] [options]\n"
		"       smpkit memlat --matrix [--size SIZE] [options]  (smpkit memlat --matrix --help)\n"
		"Latency of one dependent load versus working-set size: a pointer chase\n"
		"over a random single-cycle permutation, one pointer per cache line, so\n"
		"prefetchers cannot help. Sizes step by x1.5/x1.33 from --min (4K) to\n"
		"--max (4 x LLC, capped at a quarter of the node's free memory; 128M\n"
		"when no cache size is known). A note says when no point is past 2 x LLC.\n"
		"  -c, --cpu N    CPU to pin the chasing thread to (default: first allowed)\n"
		"  -n, --node M   NUMA node for the memory (default: the CPU's node);\n"
		"                 placement is verified with move_pages()\n"
		"  --stride B     bytes between pointers (default 64, a cache line)\n"
		"  --hugepages    ask for transparent huge pages (fewer TLB misses); a\n"
		"                 note says how much of the buffer got them (smaps)\n"
		COMMON_HELP
		"Prints kib, median ns per load, min, p90, spread=(p90-p10)/median and\n"
		"the loads per batch: at least 200000 (--quick 20000), more on small\n"
		"sets so that a batch lasts 1 ms (--quick 0.5 ms). 50 ms of chasing\n"
		"(--quick 10) come first, so that the clock is up for the first point.\n");
}

void pages_note(struct out *o, bool asked, double frac, uint64_t bytes)
{
	char mode[16];

	thp_mode(mode, sizeof(mode));
	if (frac < 0) {
		out_note(o, "pages: %s; /proc/self/smaps unreadable, so whether they are huge is unknown",
			 asked ? "transparent huge pages asked for" : "not asked for huge pages");
		return;
	}
	out_note(o, "pages: %.0f%% of the %llu KiB buffer in transparent huge pages (AnonHugePages in smaps; THP mode %s%s)",
		 100 * frac, (unsigned long long)(bytes >> 10), mode,
		 asked ? ", asked for with --hugepages" : ", not asked for");
	if (asked && frac < 0.5)
		out_note(o, "--hugepages asked for huge pages, but most of the buffer got 4 KiB pages: TLB misses are in these numbers");
	else if (!asked && frac >= 0.5)
		out_note(o, "without --hugepages the kernel still gave huge pages (THP mode %s): these are not 4 KiB-page numbers",
			 mode);
}

int cmd_memlat(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "node", required_argument, NULL, 'n' },
		{ "min", required_argument, NULL, 'm' },
		{ "max", required_argument, NULL, 'M' },
		{ "stride", required_argument, NULL, 's' },
		{ "hugepages", no_argument, NULL, 'H' },
		COMMON_LONGOPTS,
		{ 0 }
	};
	struct common_opts c = { 0 };
	uint64_t cpu = UINT64_MAX, node = UINT64_MAX, lo_b = 4096, hi_b = 0;
	uint64_t stride = CACHELINE, loads, batch_ns;
	long long freeb = 0;
	double huge_frac;
	bool huge = false;
	int opt, allowed[CPU_SETSIZE];
	struct out o;
	struct table *t;
	cpu_set_t one;
	void *buf;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--matrix"))
			return cmd_matrix(argc, argv);
	while ((opt = getopt_long(argc, argv, "hc:n:" COMMON_SHORTOPTS, lo,
				  NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case 'c':
			if (!parse_u64(optarg, 0, CPU_SETSIZE - 1, &cpu))
				die("memlat: --cpu wants a CPU number, not '%s'",
				    optarg);
			break;
		case 'n':
			if (!parse_u64(optarg, 0, 1 << 20, &node))
				die("memlat: --node wants a node number, not '%s'",
				    optarg);
			break;
		case 'm':
		case 'M':
			if (!parse_size(optarg, opt == 'm' ? &lo_b : &hi_b) ||
			    !(opt == 'm' ? lo_b : hi_b))
				die("memlat: --%s wants a size above zero like 64K or 1G, not '%s'",
				    opt == 'm' ? "min" : "max", optarg);
			break;
		case 's':
			if (!parse_u64(optarg, 8, 1 << 20, &stride) ||
			    stride % 8)
				die("memlat: --stride wants a multiple of 8 from 8 to 1M, not '%s'",
				    optarg);
			break;
		case 'H':
			huge = true;
			break;
		default:
			if (!common_opt(&c, opt, optarg))
				die("memlat: bad option (smpkit memlat --help)");
		}
	}
	if (optind < argc)
		die("memlat: unexpected argument '%s'", argv[optind]);
	if (cpu == UINT64_MAX) {
		if (!allowed_cpus(allowed, 1))
			die("memlat: no CPU allowed");
		cpu = allowed[0];
	}
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	check_cpuset(&one);
	if (node == UINT64_MAX)
		node = numa_available() < 0 ? 0 : numa_node_of_cpu(cpu);
	check_node(node);
	if (numa_available() >= 0)
		numa_node_size64(node, &freeb);
	if (!hi_b) {
		/* No LLC known: 128 MiB, and the guard below says so. */
		uint64_t llc = llc_size() ? llc_size() : 32 << 20;

		hi_b = 4 * llc;
		if (freeb > 0 && hi_b > (uint64_t)freeb / 4)
			hi_b = (uint64_t)freeb / 4;
		if (c.quick && hi_b > (64u << 20))
			hi_b = 64u << 20;
	}
	if (lo_b < 2 * stride)
		die("memlat: --min %llu is below two strides (%llu bytes)",
		    (unsigned long long)lo_b, (unsigned long long)(2 * stride));
	if (hi_b < lo_b)
		die("memlat: --max is below --min");
	if (freeb > 0 && hi_b > (uint64_t)freeb / 2)
		die("memlat: --max %llu MiB is more than half of node %llu's free memory (%lld MiB)",
		    (unsigned long long)(hi_b >> 20),
		    (unsigned long long)node, freeb >> 20);
	if (!c.reps)
		c.reps = c.quick ? 5 : 15;
	loads = c.quick ? 20000 : 200000;
	batch_ns = c.quick ? CHASE_BATCH_NS / 2 : CHASE_BATCH_NS;

	pin_self(cpu);
	out_init(&o, "memlat", c.fmt);
	noise_begin();
	buf = place_alloc(hi_b, node, huge);
	/* After the first touch: what the kernel actually gave us. */
	huge_frac = place_huge_fraction(buf, hi_b);
	chase_warm_cpu(buf, lo_b, stride, c.quick ? CHASE_WARM_NS / 5 :
		       CHASE_WARM_NS);
	t = out_table(&o, "points", "Load latency versus working set",
		      "kib:1,ns:2,min_ns:2,p90_ns:2,spread:3,loads:0");
	for (double sz = lo_b; sz <= hi_b * 1.0001;) {
		size_t bytes = (size_t)sz / stride * stride;
		struct stats st;
		uint64_t n = chase_latency(buf, bytes, stride, c.reps, loads,
					   batch_ns, &st);

		tbl_row(t, bytes / 1024.0, st.median, st.min, st.p90,
			stats_spread(&st), (double)n);
		/* Steps 1, 1.5, 2, 3, 4, 6, ...: two points per octave. */
		double p2 = exp2(floor(log2(sz) + 1e-9));

		sz = sz < p2 * 1.25 ? p2 * 1.5 : p2 * 2;
	}
	place_free(buf, hi_b);
	noise_end(&o.noise);
	o.have_noise = true;
	out_note(&o, "CPU %llu, memory on node %llu (verified with move_pages), stride %llu B",
		 (unsigned long long)cpu, (unsigned long long)node,
		 (unsigned long long)stride);
	pages_note(&o, huge, huge_frac, hi_b);
	out_note(&o, "median of %d batches after a warm-up lap; a batch is at least %llu dependent loads and %.0f ms (column loads)",
		 c.reps, (unsigned long long)loads, batch_ns / 1e6);
	/* The guard: a point is DRAM only past twice a known LLC. */
	if (!o.m.llc_bytes)
		out_note(&o, "LLC size unknown (neither hwloc nor CPUID names a cache): no point can be called DRAM");
	else if (hi_b < 2 * o.m.llc_bytes)
		out_note(&o, "largest set %llu KiB is not beyond 2x the LLC (%llu KiB, %s): no pure DRAM point",
			 (unsigned long long)(hi_b >> 10),
			 (unsigned long long)(o.m.llc_bytes >> 10),
			 o.m.llc_source);
	if (o.m.tcg)
		out_note(&o, "QEMU TCG emulates caches away: the curve is flat and says nothing about hardware");
	out_print(&o);
	if (c.plot)
		plot_latency(c.plot, t, 0, 1, caches_get());
	out_free(&o);
	return 0;
}
