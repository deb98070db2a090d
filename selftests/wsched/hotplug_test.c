// SPDX-License-Identifier: GPL-2.0
/*
 * hotplug_test: taking a group CPU offline moves its threads to the
 * group's other CPUs, which keep running them; the CPU comes back as a
 * target; a group whose last CPU goes offline is released, not stuck.
 */
#include <fcntl.h>
#include <unistd.h>

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

int main(void)
{
	struct wsched_group_stats st;
	struct wsched_params p;
	cpu_set_t mask;
	uint64_t rt0, rt1;
	int fd, on2, on3, i;

	wutil_init();
	if (!set_online(3, 1))
		ktap_skip_all("CPU 3 cannot be hot-plugged here");
	ktap_plan(6);
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
	spin_stop(sp, 2);
	close(fd);

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
