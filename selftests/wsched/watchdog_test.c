// SPDX-License-Identifier: GPL-2.0
/*
 * watchdog_test: a group whose token holder stalls (a non-member
 * SCHED_FIFO hog owns its CPU) leaves its waiters queued past the bound;
 * the watchdog releases that group to stock scheduling, with a kernel
 * log line and a stats flag, while another group keeps running. A holder
 * busy in one long system call does not look stalled.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "ktap.h"
#include "wutil.h"

static atomic_int hog_stop;

static void *hog(void *arg)
{
	struct sched_param sp = { .sched_priority = 10 };

	(void)arg;
	set_cpus(0, "1");
	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		return NULL;
	while (!atomic_load_explicit(&hog_stop, memory_order_relaxed))
		;
	return NULL;
}

static void *member(void *arg)
{
	int fd = *(int *)arg;

	wsched_join(fd, 0, NULL);
	while (!atomic_load_explicit(&hog_stop, memory_order_relaxed))
		;
	return NULL;
}

static bool log_says(const char *what)
{
	char buf[1 << 16];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ssize_t n;
	bool found = false;

	if (fd < 0)
		return false;
	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		if (strstr(buf, what))
			found = true;
	}
	close(fd);
	return found;
}

#define BIG_READ (32u << 20)

static atomic_int reader_done;
static atomic_ullong longest_read_ns;

/*
 * One read() of 32 MiB from /dev/urandom (CPU work in the kernel: a
 * second or so in the rig), again for a second: each keeps the token for
 * the whole call, since preemption waits for the return to user mode.
 */
static void *reader(void *arg)
{
	int fd = *(int *)arg, src = open("/dev/urandom", O_RDONLY);
	char *buf = malloc(BIG_READ);
	uint64_t t0, t, start;

	ssize_t n = 0;
	int ret = -1;

	if (src < 0 || !buf || (ret = wsched_join(fd, 0, NULL))) {
		ktap_diag("reader: open %d, buffer %s, join %d", src,
			  buf ? "ok" : "none", ret);
		goto out;
	}
	memset(buf, 1, BIG_READ);	/* faulted in: the read only copies */
	for (start = now_ns(); now_ns() - start < 1000000000ull;) {
		t0 = now_ns();
		n = read(src, buf, BIG_READ);
		if (n != BIG_READ) {
			ktap_diag("reader: read gave %zd (%s)", n, strerror(errno));
			break;
		}
		t = now_ns() - t0;
		if (t > atomic_load(&longest_read_ns))
			atomic_store(&longest_read_ns, t);
	}
out:
	free(buf);
	if (src >= 0)
		close(src);
	atomic_store(&reader_done, 1);
	return NULL;
}

static void *spinner_member(void *arg)
{
	wsched_join(*(int *)arg, 0, NULL);
	while (!atomic_load_explicit(&reader_done, memory_order_relaxed))
		;
	return NULL;
}

/*
 * A holder busy in one long system call on its home CPU, a member
 * queued behind it far past the bound: the token is in use, not lost,
 * and the group stays managed.
 */
static void long_syscall(void)
{
	struct wsched_group_stats st;
	struct wsched_params p;
	pthread_t r, w;
	bool released = true;
	uint64_t longest;
	int fd;

	wsched_params_default(&p);
	p.slice_us = 1000;
	p.watchdog_ms = 50;
	/* A group's CPUs must be allowed to its creator. */
	set_cpus(0, "3");
	fd = group_open("3", &p);
	pthread_create(&r, NULL, reader, &fd);
	pthread_create(&w, NULL, spinner_member, &fd);
	set_cpus(0, "0");
	pthread_join(r, NULL);
	pthread_join(w, NULL);
	longest = atomic_load(&longest_read_ns);
	if (!wsched_stats_read(fd, &st)) {
		released = st.g.flags & WSCHED_STATS_RELEASED;
		wsched_stats_free(&st);
	}
	ktap_ok(!released && longest > 2 * p.watchdog_ms * 1000000ull,
		"a holder in one %.0f ms read() beside a waiter (watchdog %u ms): the group stays managed",
		longest / 1e6, p.watchdog_ms);
	close(fd);
}

int main(void)
{
	struct wsched_group_stats a, b;
	struct wsched_params p;
	pthread_t h, m[4];
	int fa, fb, i;
	uint64_t rt0 = 0, rt1 = 0;

	wutil_init();
	ktap_plan(6);
	wsched_params_default(&p);
	p.slice_us = 5000;
	p.watchdog_ms = 200;
	fa = group_open("1", &p);
	fb = group_open("2", &p);
	if (fa < 0 || fb < 0) {
		printf("Bail out! groups\n");
		return KTAP_FAIL;
	}
	set_cpus(0, "1");
	pthread_create(&m[0], NULL, member, &fa);
	pthread_create(&m[1], NULL, member, &fa);
	set_cpus(0, "2");
	pthread_create(&m[2], NULL, member, &fb);
	pthread_create(&m[3], NULL, member, &fb);
	set_cpus(0, "0");
	sleep_ms(100);
	pthread_create(&h, NULL, hog, NULL);
	for (i = 0; i < 100; i++) {
		sleep_ms(50);
		if (!wsched_stats_read(fa, &a)) {
			bool rel = a.g.flags & WSCHED_STATS_RELEASED;

			wsched_stats_free(&a);
			if (rel)
				break;
		}
	}
	/*
	 * The flag is up before release has detached every member: wait.
	 * Each member detaches itself when it next runs, and the hog leaves
	 * them RT throttling's 5 % of CPU 1: seconds under a debug kernel.
	 */
	for (i = 0;; i++) {
		wsched_stats_read(fa, &a);
		if (!(a.g.flags & WSCHED_STATS_RELEASED) || !a.nr_threads ||
		    i == 500)
			break;
		wsched_stats_free(&a);
		sleep_ms(20);
	}
	wsched_stats_read(fb, &b);
	for (i = 0; i < (int)b.nr_threads; i++)
		rt0 += b.threads[i].runtime_ns;
	sleep_ms(200);
	wsched_stats_free(&b);
	wsched_stats_read(fb, &b);
	for (i = 0; i < (int)b.nr_threads; i++)
		rt1 += b.threads[i].runtime_ns;
	ktap_ok(a.g.flags & WSCHED_STATS_RELEASED, "the stalled group is released");
	ktap_ok(a.g.watchdog_tid > 0 && a.nr_threads == 0,
		"its waiting thread %d is named and its members are freed",
		a.g.watchdog_tid);
	ktap_ok(log_says("released to stock scheduling"),
		"the kernel log says why");
	ktap_ok(!(b.g.flags & WSCHED_STATS_RELEASED) && b.nr_threads == 2,
		"the other group is not released");
	ktap_ok(rt1 - rt0 > 100000000ull,
		"the other group keeps running (%.0f ms in 200)", (rt1 - rt0) / 1e6);
	atomic_store(&hog_stop, 1);
	pthread_join(h, NULL);
	for (i = 0; i < 4; i++)
		pthread_join(m[i], NULL);
	wsched_stats_free(&a);
	wsched_stats_free(&b);
	close(fa);
	close(fb);
	long_syscall();
	return ktap_finish();
}
