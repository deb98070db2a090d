// SPDX-License-Identifier: GPL-2.0
/*
 * Order statistics and fairness arithmetic of the harness. Percentiles
 * use the nearest-rank method, so a p99.9 of fewer than 1000 samples is
 * the maximum (the report shows the sample count beside it).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void bench_sort(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
}

double bench_pct(const double *sorted, int n, double p)
{
	int rank;

	if (n <= 0)
		return 0;
	rank = (int)ceil(p / 100.0 * n);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

/* Jain's index: 1 when all equal, 1/n when one takes everything. */
double bench_jain(const double *x, int n)
{
	double sum = 0, sq = 0;
	int i;

	for (i = 0; i < n; i++) {
		sum += x[i];
		sq += x[i] * x[i];
	}
	return sq > 0 ? sum * sum / (n * sq) : 0;
}

void bench_record_latency(struct bench_ctx *c, const char *name, double *ns,
			  int n)
{
	static const struct { const char *sfx; double p; } pct[] = {
		{ "p50", 50 }, { "p99", 99 }, { "p999", 99.9 },
	};
	char metric[32];
	int i, step;

	if (n <= 0)
		return;
	bench_sort(ns, n);
	for (i = 0; i < 3; i++) {
		snprintf(metric, sizeof(metric), "%s_%s", name, pct[i].sfx);
		bench_record(c, metric, "us", LOWER,
			     bench_pct(ns, n, pct[i].p) / 1000);
	}
	snprintf(metric, sizeof(metric), "%s_samples", name);
	bench_record(c, metric, "count", INFO, n);
	/* About 200 points of the CDF, and always the tail's last ones. */
	step = n / 200 > 0 ? n / 200 : 1;
	for (i = 0; i < n; i += step)
		bench_series(c, "cdf", name, ns[i] / 1000, (double)(i + 1) / n);
	for (i = n - 5 > 0 ? n - 5 : 0; i < n; i++)
		bench_series(c, "cdf", name, ns[i] / 1000, (double)(i + 1) / n);
}
