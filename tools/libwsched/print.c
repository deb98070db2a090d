// SPDX-License-Identifier: GPL-2.0
/* libwsched: the human-readable stats table wsched-run --stats prints. */
#include <inttypes.h>

#include <libwsched.h>

static const char *const state_names[] = { "running", "queued", "blocked", "gone" };

/* Median bucket of a log2-microsecond histogram, as an upper bound in us. */
static uint64_t hist_p50_us(const __u64 *h)
{
	uint64_t total = 0, seen = 0;
	int b;

	for (b = 0; b < WSCHED_HIST_BUCKETS; b++)
		total += h[b];
	if (!total)
		return 0;
	for (b = 0; b < WSCHED_HIST_BUCKETS; b++) {
		seen += h[b];
		if (2 * seen >= total)
			break;
	}
	return b ? 1ull << b : 1;
}

void wsched_stats_print(FILE *f, const struct wsched_group_stats *s)
{
	const char *dist[] = { "sib", "llc", "node", "remote" };
	unsigned int i;
	int d;

	fprintf(f, "wsched group %u: %" PRIu64 " threads joined, %" PRIu64 " left%s\n",
		s->g.group_id, (uint64_t)s->g.joined, (uint64_t)s->g.left,
		(s->g.flags & WSCHED_STATS_RELEASED) ? ", RELEASED by the watchdog" : "");
	fprintf(f, "%4s %8s %8s %8s %8s %8s %8s %8s %10s %s\n", "cpu", "dispatch",
		"preempt", "blocks", "st.try", "st.ok", "balance", "idle_ms",
		"handoff50", "steal distance");
	for (i = 0; i < s->g.nr_cpus; i++) {
		const struct wsched_cpu_stats *c = &s->cpus[i];

		fprintf(f, "%4u %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64
			" %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 "us ",
			c->cpu, (uint64_t)c->dispatches, (uint64_t)c->preemptions,
			(uint64_t)c->blocks, (uint64_t)c->steals_tried,
			(uint64_t)c->steals_ok, (uint64_t)c->balance_moves,
			(uint64_t)c->idle_ns / 1000000, hist_p50_us(c->handoff_hist));
		for (d = 0; d < WSCHED_DIST_NR; d++)
			fprintf(f, "%s%s=%" PRIu64, d ? " " : "", dist[d],
				(uint64_t)c->steal_dist[d]);
		fputc('\n', f);
	}
	if (!s->nr_threads)
		return;
	fprintf(f, "%8s %4s %8s %8s %8s %8s %8s %10s %10s %9s\n", "tid", "cpu",
		"state", "dispatch", "preempt", "blocks", "migr", "run_ms",
		"gated_ms", "wait50");
	for (i = 0; i < s->nr_threads; i++) {
		const struct wsched_thread_stats *t = &s->threads[i];

		fprintf(f, "%8d %4u %8s %8" PRIu64 " %8" PRIu64 " %8" PRIu64
			" %8" PRIu64 " %10" PRIu64 " %10" PRIu64 " %7" PRIu64 "us\n",
			t->tid, t->cpu, t->state < 4 ? state_names[t->state] : "?",
			(uint64_t)t->dispatches, (uint64_t)t->preemptions,
			(uint64_t)t->blocks, (uint64_t)t->migrations,
			(uint64_t)t->runtime_ns / 1000000,
			(uint64_t)t->gated_ns / 1000000, hist_p50_us(t->wait_hist));
	}
}
