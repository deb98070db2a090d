// SPDX-License-Identifier: GPL-2.0
/*
 * storm_test: member threads join, leave, spin, block, fork and move at
 * random while processes are SIGKILLed, stopped and respawned, a group is
 * destroyed under its members, a group CPU goes offline and back, and
 * rmmod is tried; then nothing is stuck, every group is freed, the
 * module's counters are zero and it unloads. --seconds N, --seed S.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libwsched.h>
#include <smpkit/util.h>

#include "kmod.h"
#include "ktap.h"
#include "storm.h"
#include "sutil.h"

#define NR_WORKERS 4

struct storm_shared *storm;
static struct stress_opts o = { .seconds = 20, .hotplug_cpu = -1 };
static long gen, kills, stuck, hp_cycles, hp_errors, rmmods, rmmod_bad;
static int hp_first_err;

static void *hotplug_main(void *arg)
{
	struct rng r;
	int cpu, ret;

	rng_seed(&r, o.seed, 1000);
	while (!atomic_load(&storm->stop)) {
		/* A CPU of the churner's group, then one of the master's. */
		cpu = o.hotplug_cpu >= 0 ? o.hotplug_cpu : hp_cycles % 2 ? 1 : 3;
		ret = cpu_set_online(cpu, false);
		msleep(300 + rng_below(&r, 500));
		ret = ret ? ret : cpu_set_online(cpu, true);
		if (ret && !hp_errors++)
			hp_first_err = -ret;
		if (!ret)
			hp_cycles++;
		msleep(500 + rng_below(&r, 1000));
	}
	return arg;
}

static void show_stuck(pid_t pid)
{
	char path[64], buf[64];
	struct dirent *e;
	FILE *f;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.12s/wchan", pid,
			 e->d_name);
		f = fopen(path, "r");
		if (f && fgets(buf, sizeof(buf), f))
			ktap_diag("  task %s wchan %s", e->d_name, buf);
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
}

/* The groups' own view (queues, holders, states) when something hangs. */
static void dump_groups(void)
{
	char path[300], line[256];
	struct dirent *e;
	FILE *f;
	DIR *d = opendir("/sys/kernel/debug/wsched");

	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "group", 5))
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/debug/wsched/%s", e->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			ktap_diag("  %s: %.*s", e->d_name, (int)strcspn(line, "\n"), line);
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
}

static pid_t spawn(int fd, bool churner)
{
	pid_t pid = fork();

	if (pid < 0)
		die_errno("fork");
	if (!pid) {
		if (churner) {
			close(fd);
			storm_churner(1 << 2 | 1 << 3, o.seed, gen);
		}
		storm_worker(fd, o.seed, gen);
	}
	gen++;
	return pid;
}

/* SIGKILL @pid and reap it; a process that will not die is stuck. */
static void kill_reap(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	kills++;
	if (wait_timeout(pid, &status, 10000)) {
		ktap_diag("process %d not reaped 10 s after SIGKILL", pid);
		show_stuck(pid);
		dump_groups();
		stuck++;
	}
}

static void try_rmmod(void)
{
	int ret = kmod_unload("wsched");

	rmmods++;
	if (ret == -EWOULDBLOCK || ret == -EBUSY)
		return;
	rmmod_bad++;
	ktap_diag("rmmod during the storm: %s", ret ? strerror(-ret) : "it unloaded");
	if (!ret)
		kmod_need_wsched();
}

int main(int argc, char **argv)
{
	pid_t workers[NR_WORKERS], churner;
	struct wsched_params p;
	pthread_t hp;
	uint64_t end;
	struct rng r;
	cpu_set_t set;
	char why[96] = "";
	int fd, i, status, ret, lost = 0;
	bool hotplug;
	struct wsched_group_stats st;

	stress_parse(argc, argv, &o);
	if (getuid() != 0)
		ktap_skip_all("needs root (runs in the VM rig)");
	if (sysconf(_SC_NPROCESSORS_ONLN) < 4)
		ktap_skip_all("needs 4 online CPUs");
	kmod_need_wsched();
	hotplug = o.hotplug_cpu != 0 && !access("/sys/devices/system/cpu/cpu3/online", W_OK);
	ktap_plan(10);
	ktap_diag("seed %#llx, %ld s (replay: storm_test --seed %#llx --seconds %ld)",
		  (unsigned long long)o.seed, o.seconds,
		  (unsigned long long)o.seed, o.seconds);
	storm = mmap(NULL, sizeof(*storm), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (storm == MAP_FAILED)
		die_errno("mmap");
	rng_seed(&r, o.seed, 999);

	wsched_params_default(&p);
	p.slice_us = 1000;
	p.watchdog_ms = STORM_WATCHDOG_MS;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CPU_SET(1, &set);
	fd = wsched_open();
	if (fd < 0 || wsched_create(fd, &set, &p, NULL))
		die("storm: the master's group on CPUs 0-1");
	for (i = 0; i < NR_WORKERS; i++)
		workers[i] = spawn(fd, false);
	churner = spawn(fd, true);
	if (hotplug)
		pthread_create(&hp, NULL, hotplug_main, NULL);

	end = mono_ms() + o.seconds * 1000;
	while (mono_ms() < end) {
		msleep(100 + rng_below(&r, 300));
		i = rng_below(&r, NR_WORKERS);
		switch (rng_below(&r, 10)) {
		case 0: case 1: case 2: case 3:
			kill_reap(workers[i]);
			workers[i] = spawn(fd, false);
			break;
		case 4:
			kill_reap(churner);
			churner = spawn(fd, true);
			break;
		case 5: case 6:
			kill(workers[i], SIGSTOP);
			msleep(50);
			kill(workers[i], SIGCONT);
			break;
		default:
			try_rmmod();
		}
	}
	atomic_store(&storm->stop, 1);
	if (hotplug)
		pthread_join(hp, NULL);
	for (i = 0; i <= NR_WORKERS; i++) {
		pid_t pid = i < NR_WORKERS ? workers[i] : churner;

		if (!wait_timeout(pid, &status, 20000))
			continue;
		ktap_diag("process %d did not stop within 20 s of being asked", pid);
		show_stuck(pid);
		dump_groups();
		lost++;
		kill_reap(pid);
	}
	if (!wsched_stats_read(fd, &st)) {
		if (st.g.flags & WSCHED_STATS_RELEASED)
			atomic_fetch_add(&storm->releases, 1);
		wsched_stats_free(&st);
	}
	close(fd);

	ktap_diag("storm: %ld s, %ld actions, %ld joins, %ld blocks, %ld forks, %ld moves, %ld kills, %ld group churns, %ld hotplug cycles, %ld rmmod attempts",
		  o.seconds, atomic_load(&storm->actions), atomic_load(&storm->joins),
		  atomic_load(&storm->blocks), atomic_load(&storm->forks),
		  atomic_load(&storm->moves), kills, atomic_load(&storm->churns),
		  hp_cycles, rmmods);
	ktap_ok(atomic_load(&storm->actions) > 0 && !atomic_load(&storm->bad),
		"every answer allowed: %ld unexpected (first: action %d, %s)",
		atomic_load(&storm->bad), storm->first_bad_action,
		strerror(storm->first_bad_errno));
	ktap_ok(!atomic_load(&storm->releases),
		"no group released by the watchdog (%ld were)",
		atomic_load(&storm->releases));
	/* The kernel's release lines say which token was stuck, and how. */
	if (atomic_load(&storm->releases))
		system("dmesg | grep 'released to stock scheduling' | head -n 5 | sed 's/^/# /'");
	ktap_ok(kills > 0 && !stuck, "%ld SIGKILLed processes all reaped (%ld stuck)",
		kills, stuck);
	if (hotplug)
		ktap_ok(hp_cycles > 0 && !hp_errors,
			"%ld hotplug cycles of a group CPU (%ld failed: %s)",
			hp_cycles, hp_errors, strerror(hp_first_err));
	else
		ktap_skip("CPU hotplug not available or disabled");
	ktap_ok(!rmmod_bad, "rmmod refused while groups exist (%ld tries)", rmmods);
	ktap_ok(!lost, "every process stopped when asked (%d did not)", lost);
	ktap_ok(!stuck_threads(3), "no thread stuck in D state");
	ret = debugfs_groups();
	ktap_ok(counters_zero(15000, why, sizeof(why)) && ret == 0,
		"every group freed, counters zero (%d group files%s%s)", ret,
		why[0] ? ", " : "", why);
	for (i = 1; i < 4; i++)
		if (!cpu_is_online(i))
			cpu_set_online(i, true);
	ktap_ok(cpu_is_online(1) && cpu_is_online(3), "CPUs 1 and 3 online again");
	ret = kmod_unload("wsched");
	ktap_ok(!ret, "rmmod after the storm (%s)", strerror(-ret));
	return ktap_finish();
}
