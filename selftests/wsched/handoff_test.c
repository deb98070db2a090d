// SPDX-License-Identifier: GPL-2.0
/*
 * handoff_test: when the token holder blocks in the kernel (nanosleep,
 * pipe read, futex wait, a page fault on a fresh mapping) the next queued
 * thread gets the CPU at once, and the woken thread waits for the token
 * again before user mode. Anonymous faults do not sleep, so the mapping
 * is a userfaultfd one whose faults the main thread (outside the group)
 * resolves 3 ms later, as a disk would.
 */
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/userfaultfd.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ktap.h"
#include "wutil.h"

#define OPS 40

static int gfd, pipefd[2], uffd = -1;
static atomic_int fword, stop, done, reading;
static uint64_t spin_cpu, block_cpu;
static char *fresh;
static long page;

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

/* A userfaultfd mapping of OPS pages: each first touch is a sleeping fault. */
static void fresh_map(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };

	page = sysconf(_SC_PAGESIZE);
	fresh = mmap(NULL, OPS * page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	reg.range.start = (unsigned long)fresh;
	reg.range.len = OPS * page;
	if (fresh == MAP_FAILED || uffd < 0 || ioctl(uffd, UFFDIO_API, &api) ||
	    ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		ktap_diag("no userfaultfd (%m): the page-fault case is skipped");
		if (uffd >= 0)
			close(uffd);
		uffd = -1;
	}
}

/* Serve each fault 3 ms after it arrives, from outside the group. */
static int serve_faults(void)
{
	static char data[1 << 16];
	struct uffdio_copy copy = { .src = (unsigned long)data, .len = page };
	struct uffd_msg msg;
	int i;

	for (i = 0; uffd >= 0 && i < OPS; i++) {
		if (read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			return -1;
		sleep_ms(3);
		copy.dst = msg.arg.pagefault.address & ~(page - 1);
		if (ioctl(uffd, UFFDIO_COPY, &copy))
			return -1;
	}
	return 0;
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
	for (i = 0; uffd >= 0 && i < OPS; i++)
		fresh[i * page] = 1;	/* sleeps until the fault is served */
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
	int i, h, kinds, faults;

	wutil_init();
	ktap_plan(6);
	wsched_params_default(&p);
	p.slice_us = 20000;
	gfd = group_open("1", &p);
	if (gfd < 0 || pipe(pipefd)) {
		printf("Bail out! group on CPU 1\n");
		return KTAP_FAIL;
	}
	fresh_map();
	kinds = uffd >= 0 ? 4 : 3;
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
	faults = serve_faults();
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
	ktap_ok(blocks >= (uint64_t)kinds * OPS * 9 / 10,
		"the holder blocked and handed off at least %d times (%llu)",
		kinds * OPS * 9 / 10, (unsigned long long)blocks);
	if (uffd >= 0)
		ktap_ok(!faults, "%d page faults on a fresh mapping slept and were served",
			OPS);
	else
		ktap_skip("no userfaultfd in this kernel: no sleeping page faults");
	/*
	 * Busy, not the spinner's: a woken blocker behind in run time takes
	 * the CPU before the spinner's slice ends (the wake-up credit).
	 */
	ktap_ok((double)(spin_cpu + block_cpu) / wall > 0.8,
		"the CPU stays busy: the spinner and the blocker ran %.0f%% of the time",
		100.0 * (spin_cpu + block_cpu) / wall);
	ktap_ok(all > 0 && fast * 10 >= all * 9,
		"90%% of hand-offs reach the next thread within a tick (%llu/%llu)",
		(unsigned long long)fast, (unsigned long long)all);
	ktap_ok(st.nr_threads == 2, "both threads are members (%u)", st.nr_threads);
	/* Woken while the spinner held the token: it had to wait. */
	for (i = 0, h = 0; i < (int)st.nr_threads; i++)
		h |= st.threads[i].gated_ns > 0 &&
		     st.threads[i].blocks >= (uint64_t)kinds * OPS * 9 / 10;
	ktap_ok(h, "the woken blocker waited for the token (gated time recorded)");
	wsched_stats_free(&st);
	close(gfd);
	return ktap_finish();
}
