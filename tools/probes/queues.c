// SPDX-License-Identifier: GPL-2.0
/*
 * smpkit queues: the run-queue design question in miniature. SQMS: one
 * queue behind one lock that every thread pushes to and pops from. MQMS:
 * a queue per thread, each behind its own lock; a thread that finds its
 * own empty steals from another, starting at a random victim. Each
 * thread produces and consumes items; --imbalance makes only even threads
 * produce, so odd ones live by stealing. Items are counted in and out.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chase.h"
#include "probes.h"

#define QCAP 1024

struct queue {
	_Alignas(CACHELINE) pthread_spinlock_t lock;
	unsigned int head, tail;	/* under lock; tail - head = length */
	uint64_t items[QCAP];
};

struct qshared {
	struct queue *q;	/* 1 (SQMS) or one per thread (MQMS) */
	int nq;
	unsigned int work;
	bool imbalance;
	_Alignas(CACHELINE) atomic_ullong pushed, popped, steals;
};

static bool q_push(struct queue *q, uint64_t v)
{
	bool ok;

	pthread_spin_lock(&q->lock);
	ok = q->tail - q->head < QCAP;
	if (ok)
		q->items[q->tail++ % QCAP] = v;
	pthread_spin_unlock(&q->lock);
	return ok;
}

static bool q_pop(struct queue *q, uint64_t *v)
{
	bool ok;

	pthread_spin_lock(&q->lock);
	ok = q->tail != q->head;
	if (ok)
		*v = q->items[q->head++ % QCAP];
	pthread_spin_unlock(&q->lock);
	return ok;
}

static void queue_body(struct team_member *m)
{
	struct qshared *s = m->arg;
	struct queue *own = &s->q[s->nq == 1 ? 0 : m->idx];
	uint64_t seed = 0x1234567ull + m->idx, v, pushed = 0, steals = 0;
	uint64_t popped = 0;
	volatile uint64_t sink = 0;
	int nprod = s->imbalance ? (m->idx % 2 ? 0 : 2) : 1;

	while (!team_stopping(m)) {
		for (int i = 0; i < nprod; i++)
			pushed += q_push(own, pushed);
		bool got = q_pop(own, &v);

		/* MQMS: own queue empty -> steal, starting at random. */
		for (int k = 0; !got && s->nq > 1 && k < s->nq - 1; k++) {
			int victim = (m->idx + 1 + k +
				      rng_below(&seed, s->nq - 1)) % s->nq;

			if (victim == m->idx)
				continue;
			got = q_pop(&s->q[victim], &v);
			steals += got;
		}
		if (!got)
			continue;
		popped++;
		for (unsigned int i = 0; i < s->work; i++)
			sink += v + i;
	}
	m->ops = popped;
	m->aux = steals;
	atomic_fetch_add(&s->pushed, pushed);
	atomic_fetch_add(&s->popped, popped);
	atomic_fetch_add(&s->steals, steals);
}

/* One run; returns M items/s and fills the shares and the steal ratio. */
static double run_once(bool mq, int n, const int *cpus, int ncpus,
		       unsigned int work, bool imb, unsigned int ms,
		       double *mn, double *mx, double *steal_pct)
{
	struct qshared *s = aligned_alloc(CACHELINE, sizeof(*s));
	struct team_member *mem = aligned_alloc(CACHELINE, sizeof(*mem) * n);
	uint64_t elapsed, left = 0, total = 0;

	if (!s || !mem)
		die("out of memory");
	memset(s, 0, sizeof(*s));
	s->nq = mq ? n : 1;
	s->q = aligned_alloc(CACHELINE, sizeof(*s->q) * s->nq);
	if (!s->q)
		die("out of memory");
	for (int i = 0; i < s->nq; i++) {
		pthread_spin_init(&s->q[i].lock, PTHREAD_PROCESS_PRIVATE);
		s->q[i].head = s->q[i].tail = 0;
	}
	s->work = work;
	s->imbalance = imb;
	elapsed = team_run(n, cpus, ncpus, ms, queue_body, s, mem);
	for (int i = 0; i < s->nq; i++) {
		left += s->q[i].tail - s->q[i].head;
		pthread_spin_destroy(&s->q[i].lock);
	}
	if (atomic_load(&s->pushed) != atomic_load(&s->popped) + left)
		die("queues: items not conserved: %llu pushed, %llu popped, %llu left",
		    (unsigned long long)atomic_load(&s->pushed),
		    (unsigned long long)atomic_load(&s->popped),
		    (unsigned long long)left);
	*mn = 1e300;
	*mx = 0;
	for (int i = 0; i < n; i++)
		total += mem[i].ops;
	for (int i = 0; i < n; i++) {
		double sh = total ? (double)mem[i].ops * n / total : 0;

		*mn = sh < *mn ? sh : *mn;
		*mx = sh > *mx ? sh : *mx;
	}
	*steal_pct = total ? 100.0 * atomic_load(&s->steals) / total : 0;
	free(s->q);
	free(s);
	free(mem);
	return total * 1e3 / elapsed;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: smpkit queues [-t, --threads LIST] [-c, --cpus LIST] [--work N]\n"
		"                     [--imbalance] [--duration MS] [options]\n"
		"SQMS (one shared queue, one lock) versus MQMS (a queue and lock per\n"
		"thread, stealing from a random victim when the own queue is empty).\n"
		"Each thread, pinned and checked, pushes an item and pops one, then does\n"
		"N units of work on it. mops = items consumed per microsecond; steal_pct\n"
		"= items taken from another queue; min/max_share = per-thread fairness.\n"
		"Items are counted in and out: a lost item is an error.\n"
		"  -t, --threads LIST  thread counts (default 1..CPUs)\n"
		"  -c, --cpus LIST CPUs to pin to, round robin (default: all allowed)\n"
		"  --work N        work iterations per item (default 50)\n"
		"  --imbalance     only even threads produce (two items): odd ones must steal\n"
		"  -d, --duration MS  one run (default 200; --quick 20)\n"
		COMMON_HELP);
}

int cmd_queues(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "threads", required_argument, NULL, 't' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "work", required_argument, NULL, 'w' },
		{ "imbalance", no_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		COMMON_LONGOPTS,
		{ 0 }
	};
	static int threads[CPU_SETSIZE], cpus[CPU_SETSIZE];
	int nthreads = 0, ncpus = 0, opt;
	uint64_t work = 50, ms = 0;
	struct common_opts c = { 0 };
	bool imb = false;
	struct table *t;
	struct out o;
	cpu_set_t ts;
	char err[128];

	while ((opt = getopt_long(argc, argv, "ht:c:d:" COMMON_SHORTOPTS, lo,
				  NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case 't':
			if (parse_cpulist(optarg, &ts, err, sizeof(err)))
				die("queues: bad --threads '%s': %s", optarg, err);
			if (CPU_ISSET(0, &ts))
				die("queues: --threads cannot include 0");
			for (int i = 1; i < CPU_SETSIZE; i++)
				if (CPU_ISSET(i, &ts))
					threads[nthreads++] = i;
			break;
		case 'c':
			ncpus = parse_cpus_arg(optarg, cpus, CPU_SETSIZE);
			break;
		case 'w':
			if (!parse_u64(optarg, 0, 10000000, &work))
				die("queues: --work wants 0 to 10000000, not '%s'",
				    optarg);
			break;
		case 'i':
			imb = true;
			break;
		case 'd':
			if (!parse_u64(optarg, 1, 60000, &ms))
				die("queues: --duration wants 1 to 60000 ms, not '%s'",
				    optarg);
			break;
		default:
			if (!common_opt(&c, opt, optarg))
				die("queues: bad option (smpkit queues --help)");
		}
	}
	if (optind < argc)
		die("queues: unexpected argument '%s'", argv[optind]);
	if (!ncpus)
		ncpus = allowed_cpus(cpus, CPU_SETSIZE);
	if (!nthreads)
		for (int i = 1; i <= ncpus && i <= 64; i++)
			threads[nthreads++] = i;
	if (!ms)
		ms = c.quick ? 20 : 200;
	if (!c.reps)
		c.reps = c.quick ? 3 : 5;

	out_init(&o, "queues", c.fmt);
	t = out_table(&o, "queues", "SQMS versus MQMS (medians of runs)",
		      "design:s,threads:0,mops:3,thread_ns:1,spread:3,min_share:2,max_share:2,steal_pct:1");
	double *v = calloc(c.reps, sizeof(*v)), *mn = calloc(c.reps, sizeof(*v));
	double *mx = calloc(c.reps, sizeof(*v)), *sp = calloc(c.reps, sizeof(*v));

	if (!v || !mn || !mx || !sp)
		die("out of memory");
	noise_begin();
	for (int mq = 0; mq < 2; mq++) {
		for (int ti = 0; ti < nthreads; ti++) {
			struct stats st, smn, smx, ssp;
			int n = threads[ti];

			for (int k = 0; k < c.reps; k++)
				v[k] = run_once(mq, n, cpus, ncpus, work, imb,
						ms, &mn[k], &mx[k], &sp[k]);
			stats_compute(v, c.reps, &st);
			stats_compute(mn, c.reps, &smn);
			stats_compute(mx, c.reps, &smx);
			stats_compute(sp, c.reps, &ssp);
			tbl_row(t, mq ? "mqms" : "sqms", (double)n, st.median,
				n * 1e3 / st.median, stats_spread(&st),
				smn.median, smx.median, ssp.median);
		}
	}
	noise_end(&o.noise);
	o.have_noise = true;
	out_note(&o, "%s load, %llu work iterations per item, %d runs of %llu ms per point",
		 imb ? "imbalanced (even threads produce)" : "balanced",
		 (unsigned long long)work, c.reps, (unsigned long long)ms);
	out_print(&o);
	if (c.plot)
		plot_groups(c.plot, t, 0, 1, 2, "M items/s");
	free(v);
	free(mn);
	free(mx);
	free(sp);
	out_free(&o);
	return 0;
}
