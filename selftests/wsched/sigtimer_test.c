// SPDX-License-Identifier: GPL-2.0
/*
 * sigtimer_test: two spinners share one group CPU with a 50 ms slice
 * while one of them takes a periodic SIGALRM (a POSIX timer aimed at
 * its thread, as Go's preemption signal or a SIGPROF profiler do):
 * stretches stay about a slice long. (Before, a signalled waiter left
 * its queue and ran its handler, and then its code, beside the holder:
 * both time-shared the CPU at the stock scheduler's granularity.)
 */
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "ktap.h"
#include "wutil.h"

#define SLICE_US 50000

static struct spinner sp[2];
static atomic_long alarms;

static void on_alarm(int sig)
{
	(void)sig;
	atomic_fetch_add_explicit(&alarms, 1, memory_order_relaxed);
}

struct arm {
	pthread_t th;
	long period_ns;
	timer_t timer;
	bool armed;
};

/* Aim a periodic timer at spinner 0 once it has a thread id. */
static void *arm_main(void *arg)
{
	struct arm *a = arg;
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = SIGALRM,
	};
	struct itimerspec it = {
		.it_value = { 0, a->period_ns },
		.it_interval = { 0, a->period_ns },
	};

	while (!sp[0].tid)
		sleep_ms(1);
	sev._sigev_un._tid = sp[0].tid;	/* glibc 2.36 has no sigev_notify_thread_id */
	a->armed = !timer_create(CLOCK_MONOTONIC, &sev, &a->timer) &&
		   !timer_settime(a->timer, 0, &it, NULL);
	return NULL;
}

/* Median stretch in ms of both spinners over a 2 s window. */
static double run(int fd, long period_ns, long *nalarms)
{
	uint64_t all[2 * MAX_STRETCHES], n = 0;
	struct arm a = { .period_ns = period_ns };
	cpu_set_t one;
	int i, j;

	CPU_ZERO(&one);
	CPU_SET(1, &one);
	for (i = 0; i < 2; i++) {
		sp[i].fd = fd;
		sp[i].start_cpu = -1;
		sp[i].mask = &one;
		sp[i].join_err = 0;
		sp[i].tid = 0;
	}
	if (period_ns)
		pthread_create(&a.th, NULL, arm_main, &a);
	atomic_store(&alarms, 0);
	spin_run(sp, 2, 300, 2000);
	*nalarms = atomic_load(&alarms);
	if (period_ns) {
		pthread_join(a.th, NULL);
		if (a.armed)
			timer_delete(a.timer);
		else
			*nalarms = -1;
	}
	spin_stop(sp, 2);
	for (i = 0; i < 2; i++)
		for (j = 0; j < (int)sp[i].nstretch; j++)
			all[n++] = sp[i].stretch[j];
	return median_u64(all, n) / 1e6;
}

static void check(int fd, long period_ns, const char *what)
{
	long nalarms;
	double med = run(fd, period_ns, &nalarms);

	ktap_ok(med >= 0.6 * SLICE_US / 1000 && (!period_ns || nalarms > 100),
		"%s: median stretch %.1f ms with a %d ms slice (%ld signals handled)",
		what, med, SLICE_US / 1000, nalarms);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct wsched_params p;
	int fd;

	wutil_init();
	ktap_plan(3);
	sigaction(SIGALRM, &sa, NULL);
	wsched_params_default(&p);
	p.slice_us = SLICE_US;
	fd = group_open("1", &p);
	if (fd < 0) {
		printf("Bail out! group: %s\n", strerror(-fd));
		return KTAP_FAIL;
	}
	check(fd, 0, "no signals");
	check(fd, 2000000, "SIGALRM every 2 ms to one spinner");
	check(fd, 200000, "SIGALRM every 200 us to one spinner");
	close(fd);
	return ktap_finish();
}
