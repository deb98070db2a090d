// SPDX-License-Identifier: GPL-2.0
/*
 * Cache affinity: five threads on four CPUs, each sweeping a private
 * working set of its share of the last-level cache. A thread that moves
 * leaves its warm lines behind. Under QEMU TCG there is no cache model
 * (guest loads go through the host's caches, wherever the vCPU thread
 * runs), so in the VM this mostly measures migrations, not their cost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smpkit/util.h>

#include "lib/bench.h"

#define LINE	64

static size_t ws_bytes;
static unsigned char *bufs[5];

/* "16384K" from sysfs; the LLC is the highest index with a size. */
static size_t llc_bytes(void)
{
	char path[96], buf[32];
	uint64_t v, best = 0;
	FILE *f;
	int i;

	for (i = 0; i < 8; i++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%31s", buf) == 1 && parse_size(buf, &v) && v > best)
			best = v;
		fclose(f);
	}
	return best ? best : 4 << 20;
}

static void sweeper(struct bench_thread *t)
{
	volatile unsigned char *buf = bufs[t->idx];
	size_t i;

	while (!team_stopping(t)) {
		for (i = 0; i < ws_bytes; i += LINE)
			buf[i]++;
		atomic_fetch_add_explicit(&t->ops, 1, memory_order_relaxed);
	}
}

static int run(struct bench_ctx *c)
{
	struct bench_window win;
	struct bench_team tm;
	double share[5];
	uint64_t mig = 0;
	int i;

	ws_bytes = llc_bytes() / c->ncpus;
	if (!c->rep && !c->v->wsched)
		bench_note(c, "working set %zu KiB per thread (LLC / %d CPUs)",
			   ws_bytes >> 10, c->ncpus);
	/*
	 * Fault the sets in here: first touches from five threads at once
	 * crawl under TCG (seconds per sweep). The pages then sit on this
	 * thread's node, which hardware runs would have to account for.
	 */
	for (i = 0; i < 5; i++) {
		bufs[i] = malloc(ws_bytes);
		if (!bufs[i])
			die("out of memory");
		memset(bufs[i], 1, ws_bytes);
	}
	team_start(&tm, c->v, "0-3", 5, sweeper, NULL);
	bench_window_run(c, &tm, bench_ms(c, 500), bench_ms(c, 2500), 0,
			 NULL, &win);
	team_stop(&tm);
	for (i = 0; i < 5; i++)
		mig += win.s1[i].mig - win.s0[i].mig;
	bench_record(c, "bandwidth", "MB/s", HIGHER,
		     bench_window_shares(&tm, &win, share) * ws_bytes / 1e6);
	bench_record(c, "migrations_per_thread", "count", LOWER, mig / 5.0);
	bench_window_record(c, &tm, &win, LOWER);
	bench_window_free(&win);
	for (i = 0; i < 5; i++)
		free(bufs[i]);
	return 0;
}

const struct bench_workload wl_cache = {
	.name = "cache",
	.title = "Cache affinity: private working sets",
	.what = "Five threads on CPUs 0-3 each sweep (read-modify-write, one byte per line) a private buffer of LLC size / CPUs. Sweep bandwidth and migrations. Under TCG the guest has no cache of its own, so only the migration count carries over to hardware. Target: 10x fewer migrations than the stock scheduler at no less throughput.",
	.variants = (const struct bench_variant *const[]){ &bench_cfs, &bench_wsched, NULL },
	.run = run,
};
