// SPDX-License-Identifier: GPL-2.0
/*
 * The schedulers compared: the kernel's own (CFS on 6.1, EEVDF from 6.6)
 * and wsched groups with a workload's policies. Everything a workload
 * needs to put threads under one or the other lives here, so that the
 * two arms of a comparison differ only in the group.
 */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "bench.h"

const struct bench_variant bench_cfs = {
	.name = "cfs", .steal = -1, .balance = -1, .place = -1,
};

/* libwsched's defaults: topology stealing, fair balance, least placement. */
const struct bench_variant bench_wsched = {
	.name = "wsched", .wsched = true, .steal = -1, .balance = -1, .place = -1,
};

const char *bench_baseline_name(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return "stock";
	return major > 6 || (major == 6 && minor >= 6) ? "EEVDF" : "CFS";
}

void bench_cpus(const char *list, cpu_set_t *set)
{
	char err[64];

	if (parse_cpulist(list, set, err, sizeof(err)))
		die("bad CPU list '%s': %s", list, err);
}

void bench_set_mask(const cpu_set_t *set)
{
	if (sched_setaffinity(0, sizeof(*set), set))
		die_errno("sched_setaffinity");
}

void bench_pin(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	bench_set_mask(&one);
}

/*
 * wake_place is a module parameter, not a group's: set it for each
 * variant, so that one left off does not leak into the next. A module
 * without it (an older build) has placement neither way.
 */
static void set_wake_place(bool on)
{
	FILE *f = fopen("/sys/module/wsched/parameters/wake_place", "w");

	if (!f)
		return;
	fputs(on ? "1" : "0", f);
	if (fclose(f))
		die_errno("setting wsched's wake_place");
}

int bench_group(const struct bench_variant *v, const cpu_set_t *cpus)
{
	struct wsched_params p;
	int fd, ret;

	if (!v->wsched)
		return -1;
	wsched_params_default(&p);
	if (v->steal >= 0)
		p.steal = v->steal;
	if (v->balance >= 0)
		p.balance = v->balance;
	if (v->place >= 0)
		p.place = v->place;
	if (v->slice_us)
		p.slice_us = v->slice_us;
	p.balance_gap = v->balance_gap;
	set_wake_place(v->wake_place);
	fd = wsched_open();
	if (fd < 0) {
		errno = -fd;
		die_errno("%s (is wsched.ko loaded?)", WSCHED_DEVICE);
	}
	ret = wsched_create(fd, cpus, &p, NULL);
	if (ret) {
		errno = -ret;
		die_errno("wsched_create for variant %s", v->name);
	}
	return fd;
}

void bench_join(int fd)
{
	int ret;

	if (fd < 0)
		return;
	ret = wsched_join(fd, 0, NULL);
	if (ret) {
		errno = -ret;
		die_errno("wsched_join");
	}
}

void bench_wtotals(int fd, struct bench_wtotals *t)
{
	struct wsched_group_stats s;
	unsigned int i;
	int ret;

	memset(t, 0, sizeof(*t));
	if (fd < 0)
		return;
	ret = wsched_stats_read(fd, &s);
	if (ret) {
		errno = -ret;
		die_errno("wsched_stats_read");
	}
	t->released = s.g.flags & WSCHED_STATS_RELEASED;
	for (i = 0; i < s.g.nr_cpus; i++) {
		t->steals += s.cpus[i].steals_ok;
		t->balance_moves += s.cpus[i].balance_moves;
		t->preemptions += s.cpus[i].preemptions;
		t->blocks += s.cpus[i].blocks;
	}
	/*
	 * Threads that already left are gone from the table: totals of the
	 * members present now, which is every worker inside a window.
	 */
	for (i = 0; i < s.nr_threads; i++) {
		t->gated_ms += s.threads[i].gated_ns / 1e6;
		t->runtime_ms += s.threads[i].runtime_ns / 1e6;
		t->migrations += s.threads[i].migrations;
	}
	wsched_stats_free(&s);
}
