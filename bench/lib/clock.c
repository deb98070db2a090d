// SPDX-License-Identifier: GPL-2.0
/*
 * Clocks and fixed work. In the TCG guest clock_gettime() is a slow hpet
 * syscall, so hot paths read the TSC, calibrated here against
 * CLOCK_MONOTONIC once per run; QEMU derives every vCPU's TSC from the
 * host's, so values compare across vCPUs.
 */
#include <errno.h>
#include <time.h>
#include <x86intrin.h>

#include <smpkit/util.h>

#include "bench.h"

static double tsc_per_ns = 1.0;
static uint64_t unit_loops = 100;

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t bench_tsc(void)
{
	return __rdtsc();
}

double bench_tsc_to_ns(uint64_t ticks)
{
	return (double)ticks / tsc_per_ns;
}

void bench_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* The loop the compiler may not fold away: a dependent multiply chain. */
static uint64_t spin(uint64_t loops)
{
	volatile uint64_t sink;
	uint64_t x = loops | 1;

	while (loops--)
		x = x * 6364136223846793005ull + 1442695040888963407ull;
	sink = x;
	return sink;
}

void bench_work(uint64_t units)
{
	spin(units * unit_loops);
}

uint64_t bench_work_unit_loops(void)
{
	return unit_loops;
}

/*
 * Runs pinned to one CPU with nothing else of ours running. The best of
 * five trials is taken: a trial that lost the vCPU to the host only
 * looks slower.
 */
void bench_clock_init(void)
{
	uint64_t t0 = bench_now_ns(), c0 = __rdtsc(), best = ~0ull, ns;
	int i;

	bench_sleep_ms(100);
	tsc_per_ns = (double)(__rdtsc() - c0) / (double)(bench_now_ns() - t0);
	if (tsc_per_ns <= 0)
		die("TSC calibration failed");
	for (i = 0; i < 5; i++) {
		c0 = __rdtsc();
		spin(1000000);
		ns = (uint64_t)bench_tsc_to_ns(__rdtsc() - c0);
		if (ns < best)
			best = ns;
	}
	/* 10^6 loops took @best ns: loops per microsecond. */
	unit_loops = best ? 1000000ull * 1000 / best : 100;
	if (!unit_loops)
		unit_loops = 1;
}
