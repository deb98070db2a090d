// SPDX-License-Identifier: GPL-2.0
/*
 * perf_event_open software counters (context switches, CPU migrations)
 * of one task, opened by the measuring thread so that a worker kept off
 * the CPU by wsched is still read at the window's edges. With inherit,
 * children fold their counts into the parent's counter when they exit.
 */
#include <linux/perf_event.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "bench.h"

static int open_one(pid_t tid, uint64_t config, bool inherit)
{
	struct perf_event_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = config;
	a.inherit = inherit;
	a.exclude_hv = 1;
	fd = syscall(SYS_perf_event_open, &a, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		die_errno("perf_event_open(tid %d) (perf_event_paranoid?)", tid);
	return fd;
}

void bench_counters_open(struct bench_counters *c, pid_t tid, bool inherit)
{
	c->fd[0] = open_one(tid, PERF_COUNT_SW_CONTEXT_SWITCHES, inherit);
	c->fd[1] = open_one(tid, PERF_COUNT_SW_CPU_MIGRATIONS, inherit);
}

static uint64_t read_one(int fd)
{
	uint64_t v = 0;

	if (fd >= 0 && read(fd, &v, sizeof(v)) != sizeof(v))
		die_errno("read perf counter");
	return v;
}

void bench_counters_read(const struct bench_counters *c, uint64_t *csw,
			 uint64_t *mig)
{
	*csw = read_one(c->fd[0]);
	*mig = read_one(c->fd[1]);
}

void bench_counters_close(struct bench_counters *c)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (c->fd[i] >= 0)
			close(c->fd[i]);
		c->fd[i] = -1;
	}
}

/*
 * The first per-task software counter flips the kernel's perf static keys
 * (a hook in the context switch among them) and the last one's close flips
 * them back a second later: each flip patches kernel text. Under QEMU TCG
 * a patch made while other vCPUs switch tasks can wedge the guest (seen:
 * CPUs looping on the int3 of text_poke_bp with interrupts off while the
 * patching CPU waits for their IPI), so the suite keeps one of each
 * counter open on its main thread from start to end.
 */
void bench_counters_hold(void)
{
	static struct bench_counters held;

	bench_counters_open(&held, 0, false);
}
