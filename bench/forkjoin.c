// SPDX-License-Identifier: GPL-2.0
/*
 * Fork-join with uneven work: a job thread forks twelve workers with
 * chunks of 1 to 10 units of CPU work on four CPUs and joins them; the
 * makespan of a round is what a task-parallel program waits for. Under
 * wsched the workers inherit the job's group and are placed on the least
 * loaded CPU; idle CPUs then steal the waiting ones.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "lib/bench.h"

static const unsigned int chunk[] = { 10, 1, 8, 1, 6, 2, 5, 2, 4, 3, 4, 3 };
#define NCHUNK		((int)(sizeof(chunk) / sizeof(chunk[0])))
#define UNIT_US		5000

struct job {
	struct bench_ctx *c;
	const struct bench_variant *v;
	int rounds;
	double *makespan_ms;
	uint64_t csw, mig;
	struct bench_wtotals w0, w1;
};

static void *chunk_main(void *arg)
{
	bench_work((uintptr_t)arg * UNIT_US);
	return NULL;
}

static void *job_main(void *arg)
{
	struct job *j = arg;
	struct bench_counters ctr;
	pthread_t th[NCHUNK];
	uint64_t t0, csw0, mig0;
	cpu_set_t cpus;
	int fd, r, i;

	bench_cpus("0-3", &cpus);
	bench_set_mask(&cpus);
	fd = bench_group(j->v, &cpus);
	bench_join(fd);
	/* inherit: the workers' counts fold into this one as they exit. */
	bench_counters_open(&ctr, 0, true);
	for (r = -1; r < j->rounds; r++) {
		if (r == 0) {
			bench_counters_read(&ctr, &csw0, &mig0);
			bench_wtotals(fd, &j->w0);
		}
		t0 = bench_now_ns();
		for (i = 0; i < NCHUNK; i++)
			if (pthread_create(&th[i], NULL, chunk_main,
					   (void *)(uintptr_t)chunk[i]))
				die("pthread_create");
		for (i = 0; i < NCHUNK; i++)
			pthread_join(th[i], NULL);
		if (r >= 0)
			j->makespan_ms[r] = (bench_now_ns() - t0) / 1e6;
	}
	bench_counters_read(&ctr, &j->csw, &j->mig);
	j->csw -= csw0;
	j->mig -= mig0;
	bench_wtotals(fd, &j->w1);
	bench_counters_close(&ctr);
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int run(struct bench_ctx *c)
{
	struct job j = { .c = c, .v = c->v };
	unsigned int total = 0, longest = 0;
	double ideal;
	pthread_t th;
	int i;

	j.rounds = c->is_long ? 12 : 6;
	j.makespan_ms = calloc(j.rounds, sizeof(double));
	if (!j.makespan_ms)
		die("out of memory");
	if (pthread_create(&th, NULL, job_main, &j))
		die("pthread_create");
	pthread_join(th, NULL);

	for (i = 0; i < NCHUNK; i++) {
		total += chunk[i];
		longest = chunk[i] > longest ? chunk[i] : longest;
	}
	/*
	 * The best any schedule can do: the work spread evenly, or the
	 * longest chunk, in calibrated units (about UNIT_US each).
	 */
	ideal = (total / 4.0 > longest ? total / 4.0 : longest) * UNIT_US / 1e3;
	bench_sort(j.makespan_ms, j.rounds);
	bench_record(c, "makespan", "ms", LOWER,
		     bench_pct(j.makespan_ms, j.rounds, 50));
	bench_record(c, "makespan_max", "ms", LOWER, j.makespan_ms[j.rounds - 1]);
	bench_record(c, "ideal_over_makespan", "ratio", HIGHER,
		     ideal / bench_pct(j.makespan_ms, j.rounds, 50));
	/* Run-queue wait of short-lived workers is not collected (0). */
	bench_record_sched(c, j.csw, j.mig, 0, INFO, &j.w0, &j.w1);
	free(j.makespan_ms);
	return 0;
}

const struct bench_workload wl_forkjoin = {
	.name = "forkjoin",
	.title = "Fork-join with uneven chunks: makespan",
	.what = "A job thread forks 12 workers with chunks of 1-10 units (5 ms of calibrated CPU work each; 49 units in all) on CPUs 0-3 and joins them, one warm-up round then 6 measured rounds per repetition. Makespan median and worst, and the ideal makespan (max of total/4 and the longest chunk) over the median. Target: makespan no worse than the stock scheduler.",
	.variants = (const struct bench_variant *const[]){ &bench_cfs, &bench_wsched, NULL },
	.run = run,
};
