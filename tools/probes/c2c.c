// SPDX-License-Identifier: GPL-2.0
/*
 * smpkit c2c: core-to-core cache-line transfer latency. For each CPU pair
 * two pinned threads bounce one cache line: by plain store/load (each
 * waits for the other's value, then writes the next) or by CAS. A round
 * trip moves the line there and back; we time batches of round trips on
 * the initiating CPU and report the median and minimum batch.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes.h"

struct pingpong {
	/* The bounced line: alone on its cache line. */
	_Alignas(CACHELINE) _Atomic uint64_t flag;
	_Alignas(CACHELINE) int cpu_b;
	bool cas;
	uint64_t total;		/* round trips B answers before leaving */
	_Atomic int ready;
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__)
	__builtin_ia32_pause();
#endif
}

/* B: wait for the odd value, answer with the next even one. */
static void *responder(void *arg)
{
	struct pingpong *pp = arg;

	pin_self(pp->cpu_b);
	atomic_store(&pp->ready, 1);
	for (uint64_t k = 0; k < pp->total; k++) {
		uint64_t want = 2 * k + 1;

		if (pp->cas) {
			uint64_t exp = want;

			while (!atomic_compare_exchange_weak_explicit(&pp->flag,
					&exp, want + 1, memory_order_acq_rel,
					memory_order_relaxed))
				exp = want;
		} else {
			while (atomic_load_explicit(&pp->flag,
					memory_order_acquire) != want)
				;
			atomic_store_explicit(&pp->flag, want + 1,
					      memory_order_release);
		}
	}
	return NULL;
}

/* A's half of round trip number @k. */
static inline void ping(struct pingpong *pp, uint64_t k)
{
	uint64_t mine = 2 * k, exp;

	if (pp->cas) {
		exp = mine;
		while (!atomic_compare_exchange_weak_explicit(&pp->flag, &exp,
				mine + 1, memory_order_acq_rel,
				memory_order_relaxed))
			exp = mine;
	} else {
		atomic_store_explicit(&pp->flag, mine + 1,
				      memory_order_release);
	}
	while (atomic_load_explicit(&pp->flag, memory_order_acquire) !=
	       mine + 2)
		;
}

static void measure_pair(int a, int b, bool cas, int reps, int batch,
			 struct stats *st)
{
	struct pingpong *pp = aligned_alloc(CACHELINE, sizeof(*pp));
	int warm = batch, k = 0;
	double *v = calloc(reps, sizeof(*v));
	pthread_t th;

	if (!pp || !v)
		die("out of memory");
	memset(pp, 0, sizeof(*pp));
	pp->cpu_b = b;
	pp->cas = cas;
	pp->total = warm + (uint64_t)reps * batch;
	pin_self(a);
	if (pthread_create(&th, NULL, responder, pp))
		die("pthread_create failed");
	while (!atomic_load(&pp->ready))
		cpu_relax();
	for (; k < warm; k++)
		ping(pp, k);
	for (int r = 0; r < reps; r++) {
		uint64_t t0 = clock_ticks();

		for (int i = 0; i < batch; i++, k++)
			ping(pp, k);
		v[r] = ticks_to_ns(clock_ticks() - t0) / batch;
	}
	pthread_join(th, NULL);
	stats_compute(v, reps, st);
	free(v);
	free(pp);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: smpkit c2c [-c, --cpus LIST] [--cas] [--batch N] [options]\n"
		"Cache-line round-trip latency for every pair of CPUs in LIST (default:\n"
		"all allowed). Two threads, pinned and checked, bounce one line: A\n"
		"writes, B sees it and writes back (--cas: both use compare-and-swap).\n"
		"Each value is a batch of N round trips (default 1000) timed on A;\n"
		"we report the median and minimum batch, and one_way = median / 2.\n"
		"  -c, --cpus LIST  CPUs to pair, e.g. 0-3 or 0,2,4 (at least two)\n"
		"  --cas          compare-and-swap ping-pong instead of load/store\n"
		"  --batch N      round trips per timed batch\n"
		COMMON_HELP);
}

int cmd_c2c(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "cas", no_argument, NULL, 'x' },
		{ "batch", required_argument, NULL, 'b' },
		COMMON_LONGOPTS,
		{ 0 }
	};
	struct common_opts c = { 0 };
	int cpus[CPU_SETSIZE], n = 0, opt;
	uint64_t batch = 1000;
	bool cas = false;
	struct stats all;
	struct table *t;
	struct out o;

	while ((opt = getopt_long(argc, argv, "hc:" COMMON_SHORTOPTS, lo,
				  NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case 'c':
			n = parse_cpus_arg(optarg, cpus, CPU_SETSIZE);
			break;
		case 'x':
			cas = true;
			break;
		case 'b':
			if (!parse_u64(optarg, 1, 10000000, &batch))
				die("c2c: --batch wants 1 to 10000000, not '%s'",
				    optarg);
			break;
		default:
			if (!common_opt(&c, opt, optarg))
				die("c2c: bad option (smpkit c2c --help)");
		}
	}
	if (optind < argc)
		die("c2c: unexpected argument '%s'", argv[optind]);
	if (!n)
		n = allowed_cpus(cpus, CPU_SETSIZE);
	if (n < 2)
		die("c2c: needs at least two CPUs, got %d", n);
	if (!c.reps)
		c.reps = c.quick ? 7 : 31;
	if (c.quick && batch > 200)
		batch = 200;

	out_init(&o, "c2c", c.fmt);
	t = out_table(&o, "pairs", cas ? "CAS round trip per CPU pair (ns)" :
		      "Load/store round trip per CPU pair (ns)",
		      "cpu_a:0,cpu_b:0,rt_ns:1,rt_min_ns:1,one_way_ns:1,spread:3");
	double *meds = calloc(n * n, sizeof(*meds));
	int np = 0;

	if (!meds)
		die("out of memory");
	noise_begin();
	for (int i = 0; i < n; i++) {
		for (int j = i + 1; j < n; j++) {
			struct stats st;

			measure_pair(cpus[i], cpus[j], cas, c.reps, batch, &st);
			tbl_row(t, (double)cpus[i], (double)cpus[j], st.median,
				st.min, st.median / 2, stats_spread(&st));
			meds[np++] = st.median;
		}
	}
	noise_end(&o.noise);
	o.have_noise = true;
	stats_compute(meds, np, &all);
	out_note(&o, "over %d pairs: best %.1f ns, median %.1f ns, worst %.1f ns per round trip",
		 np, all.min, all.median, all.max);
	out_note(&o, "each pair: median of %d batches of %llu round trips after one warm-up batch",
		 c.reps, (unsigned long long)batch);
	if (o.m.tcg)
		out_note(&o, "QEMU TCG: vCPUs are host threads and there is no cache to transfer; the numbers are emulation overhead");
	else if (o.m.in_vm)
		out_note(&o, "in a VM vCPUs may share physical cores or be descheduled; watch the spread and the noise line");
	out_print(&o);
	if (c.plot)
		plot_heatmap(c.plot, t, 0, 1, 2, "round trip ns");
	free(meds);
	out_free(&o);
	return 0;
}
