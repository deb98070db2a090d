// SPDX-License-Identifier: GPL-2.0
/*
 * handoff_test: when the token holder blocks in the kernel (nanosleep,
 * pipe read, futex wait) the next queued thread gets the CPU at once, and
 * the woken thread waits for the token again before user mode.
 */
#include <linux/futex.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ktap.h"
#include "wutil.h"

#define OPS 40

static int gfd, pipefd[2];
static atomic_int fword, stop, done, reading;
static uint64_t spin_cpu, block_cpu;

static void *spinner(void *arg)
{
	uint64_t t0;

	(void)arg;
	set_cpus(0, "1");
	wsched_join(gfd, 0, NULL);
	t0 = thread_cpu_ns();
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		;
	spin_cpu = thread_cpu_ns() - t0;
	return NULL;
}

static void *blocker(void *arg)
{
	struct timespec ts = { 0, 3000000 };
	uint64_t t0;
	char c;
	int i;

	(void)arg;
	set_cpus(0, "1");
	wsched_join(gfd, 0, NULL);
	t0 = thread_cpu_ns();
	for (i = 0; i < OPS; i++)
		nanosleep(&ts, NULL);
	for (i = 0; i < OPS; i++) {
		atomic_store(&reading, i + 1);
		if (read(pipefd[0], &c, 1) != 1)
			break;
	}
	for (i = 0; i < OPS; i++)
		syscall(SYS_futex, &fword, FUTEX_WAIT, 0, &ts, NULL, 0);
	block_cpu = thread_cpu_ns() - t0;
	atomic_store(&done, 1);
	/* Stay a member (spinning) until the stats are read. */
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		;
	return NULL;
}

int main(void)
{
	struct wsched_group_stats st;
	struct wsched_params p;
	pthread_t s, b;
	uint64_t t0, wall, blocks = 0, fast = 0, all = 0;
	int i, h;

	wutil_init();
	ktap_plan(5);
	wsched_params_default(&p);
	p.slice_us = 20000;
	gfd = group_open("1", &p);
	if (gfd < 0 || pipe(pipefd)) {
		printf("Bail out! group on CPU 1\n");
		return KTAP_FAIL;
	}
	set_cpus(0, "2-3");
	t0 = now_ns();
	pthread_create(&s, NULL, spinner, NULL);
	pthread_create(&b, NULL, blocker, NULL);
	/* Feed each pipe read from outside the group, 3 ms after it waits. */
	for (i = 0; i < OPS; i++) {
		while (atomic_load(&reading) <= i)
			sleep_ms(1);
		sleep_ms(3);
		if (write(pipefd[1], "x", 1) != 1)
			break;
	}
	while (!atomic_load(&done))
		sleep_ms(5);
	wall = now_ns() - t0;
	if (wsched_stats_read(gfd, &st)) {
		printf("Bail out! stats\n");
		return KTAP_FAIL;
	}
	atomic_store(&stop, 1);
	pthread_join(b, NULL);
	pthread_join(s, NULL);
	wsched_stats_print(stdout, &st);
	blocks = st.cpus[0].blocks;
	for (h = 0; h < WSCHED_HIST_BUCKETS; h++) {
		all += st.cpus[0].handoff_hist[h];
		if (h <= 12)	/* bucket 12: under 4.096 ms, one tick at 250 Hz */
			fast += st.cpus[0].handoff_hist[h];
	}
	ktap_diag("spinner got %.3f of the CPU, blocker %.3f; %llu blocks, %llu/%llu hand-offs within 4 ms",
		  (double)spin_cpu / wall, (double)block_cpu / wall,
		  (unsigned long long)blocks, (unsigned long long)fast,
		  (unsigned long long)all);
	ktap_ok(blocks >= 3 * OPS * 9 / 10,
		"the holder blocked and handed off at least %d times (%llu)",
		3 * OPS * 9 / 10, (unsigned long long)blocks);
	ktap_ok((double)spin_cpu / wall > 0.8,
		"the CPU stays busy: the queued spinner ran %.0f%% of the time",
		100.0 * spin_cpu / wall);
	ktap_ok(all > 0 && fast * 10 >= all * 9,
		"90%% of hand-offs reach the next thread within a tick (%llu/%llu)",
		(unsigned long long)fast, (unsigned long long)all);
	ktap_ok(st.nr_threads == 2, "both threads are members (%u)", st.nr_threads);
	/* Woken while the spinner held the token: it had to wait. */
	for (i = 0, h = 0; i < (int)st.nr_threads; i++)
		h |= st.threads[i].gated_ns > 0 && st.threads[i].blocks >= 3 * OPS * 9 / 10;
	ktap_ok(h, "the woken blocker waited for the token (gated time recorded)");
	wsched_stats_free(&st);
	close(gfd);
	return ktap_finish();
}
