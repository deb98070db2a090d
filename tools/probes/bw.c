// SPDX-License-Identifier: GPL-2.0
/*
 * Memory bandwidth kernels for memlat --matrix: a read pass (sum of
 * 64-bit words, four independent accumulators so the loads are not one
 * dependency chain) and a copy pass (memcpy, counted as bytes read plus
 * bytes written), run by a team of pinned threads each on its own slice
 * of a buffer for a fixed time; GB/s = bytes moved / elapsed.
 */
#include <stdlib.h>
#include <string.h>

#include "probes.h"

#define BW_STEP (1u << 20)	/* pass granularity: stop within 1 MiB */

struct bw_job {
	char *buf;
	size_t slice;		/* bytes per thread */
	bool copy;
	int nthreads;
};

static uint64_t read_pass(const uint64_t *p, size_t words)
{
	uint64_t a = 0, b = 0, c = 0, d = 0;

	for (size_t i = 0; i + 4 <= words; i += 4) {
		a += p[i];
		b += p[i + 1];
		c += p[i + 2];
		d += p[i + 3];
	}
	return a + b + c + d;
}

static void bw_body(struct team_member *m)
{
	struct bw_job *j = m->arg;
	char *base = j->buf + m->idx * j->slice;
	size_t off = 0, half = j->slice / 2, step;
	volatile uint64_t sink = 0;
	uint64_t bytes = 0;

	while (!team_stopping(m)) {
		if (j->copy) {
			step = half < BW_STEP ? half : BW_STEP;
			if (off + step > half)
				off = 0;
			memcpy(base + half + off, base + off, step);
			bytes += 2 * step;
		} else {
			step = j->slice < BW_STEP ? j->slice : BW_STEP;
			if (off + step > j->slice)
				off = 0;
			sink += read_pass((const uint64_t *)(base + off),
					  step / 8);
			bytes += step;
		}
		off += step;
	}
	m->ops = bytes;
}

double bw_measure(void *buf, size_t len, const int *cpus, int n, bool copy,
		  unsigned int ms)
{
	struct team_member *mem = aligned_alloc(CACHELINE, sizeof(*mem) * n);
	struct bw_job j = { buf, len / n / 64 * 64, copy, n };
	uint64_t total = 0, el;

	if (!mem)
		die("out of memory");
	el = team_run(n, cpus, n, ms, bw_body, &j, mem);
	for (int i = 0; i < n; i++)
		total += mem[i].ops;
	free(mem);
	return (double)total / el;	/* bytes per ns = GB/s */
}
