// SPDX-License-Identifier: GPL-2.0
/*
 * hotplug_test: taking a group CPU offline moves its threads to the
 * group's other CPUs, which keep running them; the CPU comes back as a
 * target; threads leaving afterwards get back their own CPUs, not the
 * kernel's fallback from the offline; a member asleep in the kernel as
 * its CPU goes offline finds an online one; a member moved off an
 * offline CPU stays within its own CPUs; a group whose last CPU goes
 * offline is released, not stuck.
 */
#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "ktap.h"
#include "wutil.h"

static bool set_online(int cpu, int on)
{
	char path[64];
	int fd;
	bool ok;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return false;
	ok = write(fd, on ? "1" : "0", 1) == 1;
	close(fd);
	return ok;
}

static struct spinner sp[2];

static void homes(int fd, int *on2, int *on3, uint64_t *rt)
{
	struct wsched_group_stats st;
	unsigned int i;

	*on2 = *on3 = 0;
	*rt = 0;
	if (wsched_stats_read(fd, &st))
		return;
	for (i = 0; i < st.nr_threads; i++) {
		*on2 += st.threads[i].cpu == 2;
		*on3 += st.threads[i].cpu == 3;
		*rt += st.threads[i].runtime_ns;
	}
	wsched_stats_free(&st);
}

/* A member that sleeps in read() while its CPU goes offline. */
struct sleeper {
	int fd, pipe[2];
	const cpu_set_t *mask;
	pid_t tid;
	atomic_int state;	/* 1 joined and about to block, 2 woken */
	int cpu;		/* where it ran user code after the wake */
	cpu_set_t before;	/* its affinity as it went to sleep */
	cpu_set_t after;	/* and after the wake */
};

static void *sleeper_main(void *arg)
{
	struct sleeper *s = arg;
	cpu_set_t one;
	int home;
	char c;

	s->tid = (pid_t)syscall(SYS_gettid);
	CPU_ZERO(&one);
	CPU_SET(3, &one);
	sched_setaffinity(0, sizeof(one), &one);
	if (wsched_join(s->fd, 0, &home))
		return NULL;
	sched_setaffinity(0, sizeof(*s->mask), s->mask);
	/* Run a few slices: wsched takes the new mask and pins it to CPU 3. */
	for (uint64_t t0 = now_ns(); now_ns() - t0 < 100000000ull;)
		;
	pinned_cpus(s->tid, &s->before);
	atomic_store(&s->state, 1);
	if (read(s->pipe[0], &c, 1) != 1)
		return NULL;
	s->cpu = sched_getcpu();
	pinned_cpus(s->tid, &s->after);
	atomic_store(&s->state, 2);
	/* Alive until the test has read its affinity after the close. */
	if (read(s->pipe[0], &c, 1) < 0)
		perror("sleeper: read");
	return NULL;
}

/*
 * Hotplug moves a CPU's holder and queue; a member blocked in the kernel
 * keeps the dead CPU as its home until it wakes. It must then find an
 * online one through its own CPUs, not through the kernel's fallback.
 */
static void blocked_member(const struct wsched_params *p, const cpu_set_t *mask)
{
	struct sleeper s = { .mask = mask };
	cpu_set_t got, two, three;
	pthread_t th;
	uint64_t rt;
	int on2, on3, i;

	s.fd = group_open("2-3", p);
	if (pipe(s.pipe) || pthread_create(&th, NULL, sleeper_main, &s))
		die("pipe/pthread_create");
	for (i = 0; i < 200 && atomic_load(&s.state) != 1; i++)
		sleep_ms(10);
	sleep_ms(200);
	homes(s.fd, &on2, &on3, &rt);
	set_online(3, 0);
	sleep_ms(100);
	if (write(s.pipe[1], "x", 1) != 1)
		die("write");
	for (i = 0; i < 200 && atomic_load(&s.state) != 2; i++)
		sleep_ms(10);
	CPU_ZERO(&two);
	CPU_SET(2, &two);
	CPU_ZERO(&three);
	CPU_SET(3, &three);
	ktap_ok(on3 == 1 && CPU_EQUAL(&s.before, &three) &&
		atomic_load(&s.state) == 2 && s.cpu == 2 && CPU_EQUAL(&s.after, &two),
		"a member asleep pinned to CPU 3 (%d there, pinned: %s) as it went offline wakes on CPU %d, pinned to CPU 2 (%s)",
		on3, CPU_EQUAL(&s.before, &three) ? "yes" : "no", s.cpu,
		CPU_EQUAL(&s.after, &two) ? "yes" : "no");
	set_online(3, 1);
	close(s.fd);
	ktap_ok(pinned_cpus(s.tid, &got) && CPU_EQUAL(&got, mask),
		"after the close it has its own CPUs 2-3 back");
	if (write(s.pipe[1], "x", 1) != 1)
		die("write");
	pthread_join(th, NULL);
	close(s.pipe[0]);
	close(s.pipe[1]);
}

/* The home CPU of member @tid, or -1. */
static int home_of(int fd, pid_t tid)
{
	struct wsched_group_stats st;
	unsigned int i;
	int cpu = -1;

	if (wsched_stats_read(fd, &st))
		return -1;
	for (i = 0; i < st.nr_threads; i++)
		if (st.threads[i].tid == tid)
			cpu = st.threads[i].cpu;
	wsched_stats_free(&st);
	return cpu;
}

/*
 * A member whose own CPUs are 2-3 sits on CPU 3, CPU 2 has a thread and
 * CPU 1 none, as CPU 3 goes offline: it must go to CPU 2, its own, not
 * to the least loaded online one (CPU 1).
 */
static void own_mask(const struct wsched_params *p)
{
	cpu_set_t two, twothree, got;
	int fd, home;

	CPU_ZERO(&two);
	CPU_SET(2, &two);
	CPU_ZERO(&twothree);
	CPU_SET(2, &twothree);
	CPU_SET(3, &twothree);
	fd = group_open("1-3", p);
	sp[0] = (struct spinner){ .fd = fd, .start_cpu = 2, .mask = &two };
	sp[1] = (struct spinner){ .fd = fd, .start_cpu = 3, .mask = &twothree };
	spin_run(sp, 2, 100, 200);
	set_online(3, 0);
	sleep_ms(300);
	home = home_of(fd, sp[1].tid);
	pinned_cpus(sp[1].tid, &got);
	ktap_ok(home == 2 && CPU_ISSET(2, &got) && !CPU_ISSET(1, &got),
		"a member of CPUs 2-3 on CPU 3 as it goes offline moves to CPU 2, not to idle CPU 1 (home %d, CPU 1 %sallowed)",
		home, CPU_ISSET(1, &got) ? "" : "not ");
	set_online(3, 1);
	close(fd);
	spin_stop(sp, 2);
}

int main(void)
{
	struct wsched_group_stats st;
	struct wsched_params p;
	cpu_set_t mask;
	uint64_t rt0, rt1;
	int fd, on2, on3, i, same;

	wutil_init();
	if (!set_online(3, 1))
		ktap_skip_all("CPU 3 cannot be hot-plugged here");
	ktap_plan(10);
	wsched_params_default(&p);
	p.slice_us = 10000;
	p.place = WSCHED_PLACE_CURRENT;
	p.steal = WSCHED_STEAL_NONE;
	fd = group_open("2-3", &p);
	CPU_ZERO(&mask);
	CPU_SET(2, &mask);
	CPU_SET(3, &mask);
	for (i = 0; i < 2; i++) {
		sp[i].fd = fd;
		sp[i].start_cpu = 3;
		sp[i].mask = &mask;
	}
	spin_run(sp, 2, 100, 200);
	homes(fd, &on2, &on3, &rt0);
	ktap_ok(on3 == 2, "both threads live on CPU 3 (%d)", on3);

	ktap_ok(set_online(3, 0), "CPU 3 goes offline");
	sleep_ms(300);
	homes(fd, &on2, &on3, &rt0);
	sleep_ms(300);
	homes(fd, &on2, &on3, &rt1);
	ktap_ok(on2 == 2 && on3 == 0 && rt1 - rt0 > 200000000ull,
		"its threads moved to CPU 2 and keep running (%.0f ms in 300)",
		(rt1 - rt0) / 1e6);
	ktap_ok(set_online(3, 1), "CPU 3 comes back online");
	/*
	 * The offline moved the spinners off their pinned CPU with the
	 * kernel's fallback mask (every CPU): wsched must not take that
	 * for the user's choice (2-3), which leaving restores.
	 */
	close(fd);
	for (i = 0, same = 0; i < 2; i++) {
		cpu_set_t got;

		same += pinned_cpus(sp[i].tid, &got) &&
			CPU_EQUAL(&got, &mask);
	}
	ktap_ok(same == 2, "after the close both threads have their own CPUs 2-3 back (%d of 2)",
		same);
	spin_stop(sp, 2);

	blocked_member(&p, &mask);
	own_mask(&p);

	/* A group on CPU 3 alone: its last CPU going offline releases it. */
	fd = group_open("3", &p);
	for (i = 0; i < 2; i++) {
		sp[i].fd = fd;
		sp[i].start_cpu = 3;
		sp[i].mask = NULL;
	}
	spin_run(sp, 2, 100, 100);
	set_online(3, 0);
	sleep_ms(200);
	ktap_ok(!wsched_stats_read(fd, &st) && (st.g.flags & WSCHED_STATS_RELEASED) &&
		st.g.nr_threads == 0,
		"a group whose last CPU goes offline is released");
	wsched_stats_free(&st);
	set_online(3, 1);
	spin_stop(sp, 2);
	close(fd);
	sleep_ms(50);
	ktap_ok(wsched_counter("members") == 0 && wsched_counter("groups") == 0,
		"nothing is left behind");
	return ktap_finish();
}
