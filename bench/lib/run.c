// SPDX-License-Identifier: GPL-2.0
/*
 * Repetitions and results. Every workload runs each of its variants once
 * per repetition, the order reversed on every other repetition so that
 * neither arm always runs first (warm caches, a host that slows down).
 * Each value is printed as it is measured (@sample) and summarised per
 * workload (@summary: median, min, max); scripts/report reads the lines.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "bench.h"

#define MAX_REPS	64
#define MAX_ENTRIES	256

struct entry {
	const struct bench_variant *v;
	char metric[32], unit[16];
	enum bench_better better;
	int n;
	double val[MAX_REPS];
};

static struct entry table[MAX_ENTRIES];
static int nr_entries;
bool bench_baseline_only;
static const char *const better_name[] = { "lower", "higher", "info" };

unsigned int bench_ms(const struct bench_ctx *c, unsigned int quick_ms)
{
	return c->is_long ? quick_ms * 2 : quick_ms;
}

static struct entry *find(const struct bench_variant *v, const char *metric)
{
	struct entry *e;
	int i;

	for (i = 0; i < nr_entries; i++)
		if (table[i].v == v && !strcmp(table[i].metric, metric))
			return &table[i];
	if (nr_entries == MAX_ENTRIES)
		die("too many metrics in one workload");
	e = &table[nr_entries++];
	memset(e, 0, sizeof(*e));
	e->v = v;
	snprintf(e->metric, sizeof(e->metric), "%s", metric);
	return e;
}

void bench_record(struct bench_ctx *c, const char *metric, const char *unit,
		  enum bench_better better, double value)
{
	struct entry *e = find(c->v, metric);

	snprintf(e->unit, sizeof(e->unit), "%s", unit);
	e->better = better;
	if (e->n < MAX_REPS)
		e->val[e->n++] = value;
	printf("@sample %s %s %s %d %.6g\n", c->w->name, c->v->name, metric,
	       c->rep, value);
}

void bench_point(struct bench_ctx *c, const char *plot, const char *line,
		 double x, double y)
{
	printf("@series %s %s %s %s %.6g %.6g\n", c->w->name, c->v->name, plot,
	       line, x, y);
}

void bench_series(struct bench_ctx *c, const char *plot, const char *line,
		  double x, double y)
{
	if (c->plot)
		bench_point(c, plot, line, x, y);
}

void bench_note(struct bench_ctx *c, const char *fmt, ...)
{
	va_list ap;

	printf("@note %s %s ", c->w->name, c->v->name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void bench_record_sched(struct bench_ctx *c, uint64_t csw, uint64_t mig,
			uint64_t runq_ns, enum bench_better mig_better,
			const struct bench_wtotals *w0,
			const struct bench_wtotals *w1)
{
	bench_record(c, "ctx_switches", "count", INFO, csw);
	bench_record(c, "migrations", "count", mig_better, mig);
	bench_record(c, "runq_wait_ms", "ms", INFO, runq_ns / 1e6);
	if (!c->v->wsched)
		return;
	bench_record(c, "gated_ms", "ms", INFO, w1->gated_ms - w0->gated_ms);
	bench_record(c, "steals", "count", INFO, w1->steals - w0->steals);
	bench_record(c, "balance_moves", "count", INFO,
		     w1->balance_moves - w0->balance_moves);
	if (w1->released)
		bench_note(c, "%s: the watchdog released the group to stock scheduling in repetition %d",
			   c->v->name, c->rep + 1);
}

static void summarise(const struct bench_workload *w)
{
	int i;

	for (i = 0; i < nr_entries; i++) {
		struct entry *e = &table[i];

		bench_sort(e->val, e->n);
		printf("@summary %s %s %s %s %s %d %.6g %.6g %.6g\n", w->name,
		       e->v->name, e->metric, e->unit, better_name[e->better],
		       e->n, bench_pct(e->val, e->n, 50), e->val[0],
		       e->val[e->n - 1]);
	}
	nr_entries = 0;
}

bool bench_wanted(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	if (!list)
		return true;
	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

static bool skip(const struct bench_variant *v)
{
	return bench_baseline_only && v->wsched;
}

int bench_run_all(const struct bench_workload *const *wl, int reps,
		  bool is_long)
{
	int total = 0, done = 0, nv, i, r, k, ret, skipped = 0;
	struct bench_ctx c = { .reps = reps, .is_long = is_long };
	uint64_t t0;

	c.ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	for (i = 0; wl[i]; i++)
		for (k = 0; wl[i]->variants[k]; k++)
			total += reps * !skip(wl[i]->variants[k]);
	for (i = 0; wl[i]; i++) {
		c.w = wl[i];
		for (nv = 0; c.w->variants[nv]; nv++)
			;
		printf("@workload %s\t%s\t%s\n", c.w->name, c.w->title, c.w->what);
		for (r = 0; r < reps; r++) {
			for (k = 0; k < nv; k++) {
				/* Reverse the order on odd repetitions. */
				c.v = c.w->variants[r & 1 ? nv - 1 - k : k];
				if (skip(c.v))
					continue;
				c.rep = r;
				c.plot = r == reps - 1;
				fprintf(stderr, "bench: [%3d/%d] %-10s %-12s rep %d/%d\n",
					++done, total, c.w->name, c.v->name,
					r + 1, reps);
				t0 = bench_now_ns();
				fflush(stdout);
				bench_watchdog_pet();
				ret = c.w->run(&c);
				bench_watchdog_pet();
				fflush(stdout);
				if (ret < 0) {
					printf("@skip %s %s\n", c.w->name, c.v->name);
					skipped++;
				}
				fprintf(stderr, "bench:         %.1f s\n",
					(bench_now_ns() - t0) / 1e9);
			}
		}
		summarise(c.w);
		fflush(stdout);
	}
	printf("@done %d runs, %d skipped\n", done, skipped);
	fflush(stdout);
	return 0;
}
