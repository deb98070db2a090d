// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the stress selftests (see sutil.h): options, counters
 * and health checks read from /proc and debugfs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kmod.h"
#include "ktap.h"
#include "sutil.h"

#define WSCHED_DEBUGFS "/sys/kernel/debug/wsched"

static long num_arg(const char *opt, const char *v)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v ? v : "", &end, 0);
	if (!v || errno || *end || n < 0) {
		fprintf(stderr, "%s wants a non-negative number, not '%s'\n",
			opt, v ? v : "");
		exit(2);
	}
	return n;
}

static long env_num(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? num_arg(name, v) : def;
}

void stress_parse(int argc, char **argv, struct stress_opts *o)
{
	const char *seed = getenv("SMPKIT_FUZZ_SEED");
	int i;

	o->cases = env_num("SMPKIT_FUZZ_CASES", o->cases);
	o->seconds = env_num("SMPKIT_STORM_SECONDS", o->seconds);
	o->seed_given = seed && *seed;
	if (o->seed_given)
		o->seed = strtoull(seed, NULL, 0);
	for (i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--seed")) {
			if (!v)
				num_arg("--seed", v);
			o->seed = strtoull(v, NULL, 0);
			o->seed_given = true;
		} else if (!strcmp(argv[i], "--cases")) {
			o->cases = num_arg("--cases", v);
		} else if (!strcmp(argv[i], "--seconds")) {
			o->seconds = num_arg("--seconds", v);
		} else if (!strcmp(argv[i], "--hotplug-cpu")) {
			o->hotplug_cpu = (int)num_arg("--hotplug-cpu", v);
		} else {
			fprintf(stderr, "usage: %s [--seed N] [--cases N] [--seconds N] [--hotplug-cpu N]\n",
				argv[0]);
			exit(2);
		}
		i++;
	}
	if (!o->seed_given)
		o->seed = rng_clock_seed();
}

bool counters_zero(unsigned int ms, char *why, size_t len)
{
	uint64_t end = mono_ms() + ms;
	int g, m, p;

	for (;;) {
		g = wsched_counter("groups");
		m = wsched_counter("members");
		p = wsched_counter("pending_gates");
		if (!g && !m && !p)
			return true;
		if (mono_ms() > end)
			break;
		msleep(50);
	}
	snprintf(why, len, "groups %d members %d pending_gates %d", g, m, p);
	return false;
}

int debugfs_groups(void)
{
	DIR *d = opendir(WSCHED_DEBUGFS);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, "group", 5);
	closedir(d);
	return n;
}

/* State letter of /proc/<pid>/task/<tid>/stat, or 0. */
static char task_state(const char *pid, const char *tid)
{
	char path[600], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%s/task/%s/stat", pid, tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

static bool user_task(const char *pid)
{
	char path[300], c;
	FILE *f;
	bool ret;

	/* Kernel threads have an empty cmdline. */
	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	ret = fread(&c, 1, 1, f) == 1;
	fclose(f);
	return ret;
}

#define MAX_D 64

static int scan_d(long *tids, int max)
{
	DIR *proc = opendir("/proc"), *task;
	struct dirent *p, *t;
	char path[300];
	int n = 0;

	if (!proc)
		return 0;
	while ((p = readdir(proc))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9' || !user_task(p->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		task = opendir(path);
		if (!task)
			continue;
		while ((t = readdir(task)) && n < max)
			if (t->d_name[0] != '.' && task_state(p->d_name, t->d_name) == 'D')
				tids[n++] = atol(t->d_name);
		closedir(task);
	}
	closedir(proc);
	return n;
}

int stuck_threads(int samples)
{
	long seen[MAX_D], now[MAX_D];
	int n, m, i, j, k, s;
	char path[64], wchan[64];
	FILE *f;

	n = scan_d(seen, MAX_D);
	for (s = 1; s < samples && n; s++) {
		msleep(500);
		m = scan_d(now, MAX_D);
		for (i = 0, k = 0; i < n; i++)
			for (j = 0; j < m; j++)
				if (seen[i] == now[j]) {
					seen[k++] = seen[i];
					break;
				}
		n = k;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/%ld/wchan", seen[i]);
		f = fopen(path, "r");
		wchan[0] = 0;
		if (f) {
			if (!fgets(wchan, sizeof(wchan), f))
				wchan[0] = 0;
			fclose(f);
		}
		ktap_diag("thread %ld stuck in D state (wchan %s)", seen[i],
			  wchan[0] ? wchan : "?");
	}
	return n;
}

static void cpu_online_path(char *buf, size_t len, int cpu)
{
	snprintf(buf, len, "/sys/devices/system/cpu/cpu%d/online", cpu);
}

bool cpu_is_online(int cpu)
{
	char path[64], c = '1';
	FILE *f;

	cpu_online_path(path, sizeof(path), cpu);
	f = fopen(path, "r");
	if (!f)		/* no file: CPU 0, which cannot go offline */
		return access(path, F_OK) != 0;
	if (fread(&c, 1, 1, f) != 1)
		c = '0';
	fclose(f);
	return c == '1';
}

int cpu_set_online(int cpu, bool on)
{
	char path[64];
	int fd, ret = 0;

	cpu_online_path(path, sizeof(path), cpu);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, on ? "1" : "0", 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

void drop_privs(void)
{
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
		perror("drop_privs");
		_exit(KTAP_FAIL);
	}
}

int wait_timeout(pid_t pid, int *status, unsigned int ms)
{
	uint64_t end = mono_ms() + ms;
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0)
			return -errno;
		if (mono_ms() > end)
			return -ETIMEDOUT;
		msleep(10);
	}
}

uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}
