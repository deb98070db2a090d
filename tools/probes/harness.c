// SPDX-License-Identifier: GPL-2.0
/*
 * The one measurement harness of the probes: pinning checked with
 * sched_getcpu(), a calibrated TSC clock (CLOCK_MONOTONIC_RAW where the
 * TSC is not invariant), batch statistics (median, p10/p90, spread) and
 * the noise guard that reads /proc/stat around a run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#ifdef __x86_64__
#include <x86intrin.h>
#endif

#include "probes.h"

int try_pin_self(int cpu)
{
	cpu_set_t set;

	if (cpu < 0 || cpu >= CPU_SETSIZE) {
		errno = EINVAL;
		return -1;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -1;
	/* The kernel migrates us before sched_setaffinity() returns. */
	if (sched_getcpu() != cpu) {
		errno = EAGAIN;
		return -1;
	}
	return 0;
}

void pin_self(int cpu)
{
	if (try_pin_self(cpu))
		die_errno("cannot pin to CPU %d (sched_getcpu says %d)", cpu,
			  sched_getcpu());
}

static cpu_set_t startup_set;
static bool startup_valid;

/*
 * Threads pin themselves, so the set we may use is the one the process
 * started with, captured once before anything narrows it.
 */
static const cpu_set_t *startup_affinity(void)
{
	if (!startup_valid) {
		if (sched_getaffinity(0, sizeof(startup_set), &startup_set))
			die_errno("sched_getaffinity");
		startup_valid = true;
	}
	return &startup_set;
}

int allowed_cpus(int *cpus, int max)
{
	const cpu_set_t *s = startup_affinity();
	int n = 0;

	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, s))
			cpus[n++] = c;
	return n;
}

void check_cpuset(const cpu_set_t *set)
{
	const cpu_set_t *s = startup_affinity();
	long conf = sysconf(_SC_NPROCESSORS_CONF);

	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, set))
			continue;
		if (c >= conf)
			die("CPU %d does not exist (this machine has %ld)",
			    c, conf);
		if (!CPU_ISSET(c, s))
			die("CPU %d is offline or outside our affinity mask",
			    c);
	}
}

int parse_cpus_arg(const char *s, int *cpus, int max)
{
	char err[128];
	cpu_set_t set;
	int n = 0;

	if (parse_cpulist(s, &set, err, sizeof(err)))
		die("bad CPU list '%s': %s", s, err);
	check_cpuset(&set);
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
}

/* ---- clock */

static bool use_tsc;
static double ns_per_tick = 1.0;

uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static bool cpuinfo_has_flag(const char *flag)
{
	char line[4096], pat[64];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	snprintf(pat, sizeof(pat), " %s", flag);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		char *p = strstr(line, pat);

		found = p && (p[strlen(pat)] == ' ' || p[strlen(pat)] == '\n');
		break;
	}
	fclose(f);
	return found;
}

void clock_init(void)
{
#ifdef __x86_64__
	/*
	 * Only an invariant TSC ticks at one rate through frequency changes
	 * and idle; the kernel says so with constant_tsc + nonstop_tsc.
	 * Calibrate against CLOCK_MONOTONIC_RAW (not NTP-slewed) over 50 ms
	 * and keep the best of three to dodge a preemption in between.
	 */
	if (cpuinfo_has_flag("constant_tsc") &&
	    cpuinfo_has_flag("nonstop_tsc")) {
		double best = 0;

		for (int i = 0; i < 3; i++) {
			uint64_t t0 = mono_ns(), c0 = __rdtsc(), t1, c1;

			do {
				t1 = mono_ns();
			} while (t1 - t0 < 50000000ull);
			c1 = __rdtsc();
			double r = (double)(t1 - t0) / (double)(c1 - c0);

			if (!best || r < best)
				best = r;
		}
		ns_per_tick = best;
		use_tsc = best > 0;
		return;
	}
#endif
	use_tsc = false;
	ns_per_tick = 1.0;
}

uint64_t clock_ticks(void)
{
#ifdef __x86_64__
	if (use_tsc) {
		/* lfence: earlier loads retire before we read the TSC. */
		_mm_lfence();
		uint64_t t = __rdtsc();

		_mm_lfence();
		return t;
	}
#endif
	return mono_ns();
}

double ticks_to_ns(uint64_t ticks)
{
	return (double)ticks * ns_per_tick;
}

const char *clock_name(void)
{
	static char buf[64];

	if (!use_tsc)
		return "CLOCK_MONOTONIC_RAW";
	snprintf(buf, sizeof(buf), "TSC %.3f GHz (calibrated)",
		 1.0 / ns_per_tick);
	return buf;
}

/* ---- statistics */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double pct(const double *v, int n, double p)
{
	double idx = p * (n - 1);
	int lo = (int)idx;

	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (idx - lo) * (v[lo + 1] - v[lo]);
}

void stats_compute(double *v, int n, struct stats *st)
{
	memset(st, 0, sizeof(*st));
	if (n <= 0)
		return;
	qsort(v, n, sizeof(*v), cmp_double);
	st->n = n;
	st->min = v[0];
	st->max = v[n - 1];
	st->median = pct(v, n, 0.5);
	st->p10 = pct(v, n, 0.1);
	st->p90 = pct(v, n, 0.9);
}

double stats_spread(const struct stats *st)
{
	return st->median > 0 ? (st->p90 - st->p10) / st->median : 0;
}

/* ---- noise guard */

struct cpu_jiffies {
	unsigned long long busy, steal;
};

static struct cpu_jiffies noise_j0;
static double noise_self0;
static uint64_t noise_t0;

static void read_stat(struct cpu_jiffies *j)
{
	unsigned long long v[10] = { 0 };
	FILE *f = fopen("/proc/stat", "r");

	memset(j, 0, sizeof(*j));
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
		   &v[7]) == 8) {
		/* user nice system idle iowait irq softirq steal */
		j->busy = v[0] + v[1] + v[2] + v[5] + v[6];
		j->steal = v[7];
	}
	fclose(f);
}

static double self_cpu_secs(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

void noise_begin(void)
{
	read_stat(&noise_j0);
	noise_self0 = self_cpu_secs();
	noise_t0 = mono_ns();
}

void noise_end(struct noise *n)
{
	struct cpu_jiffies j1;
	double hz = sysconf(_SC_CLK_TCK), wall, cap, other;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	/*
	 * /proc/stat counts in jiffies (10 ms): a run shorter than 0.25 s
	 * cannot be judged from it, so extend the window by sleeping, which
	 * adds none of our own CPU time and samples what the neighbours do.
	 */
	wall = (mono_ns() - noise_t0) / 1e9;
	if (wall < 0.25) {
		struct timespec ts = { 0, (long)((0.25 - wall) * 1e9) };

		nanosleep(&ts, NULL);
	}
	read_stat(&j1);
	wall = (mono_ns() - noise_t0) / 1e9;
	cap = wall * (ncpu > 0 ? ncpu : 1);
	other = (j1.busy - noise_j0.busy) / hz -
		(self_cpu_secs() - noise_self0);
	/* Jiffy granularity can make a short run's difference negative. */
	if (other < 0)
		other = 0;
	n->secs = wall;
	n->other_pct = cap > 0 ? 100.0 * other / cap : 0;
	n->steal_pct = cap > 0 ? 100.0 * (j1.steal - noise_j0.steal) / hz /
				 cap : 0;
	n->busy = n->other_pct > NOISE_OTHER_PCT ||
		  n->steal_pct > NOISE_STEAL_PCT;
}
