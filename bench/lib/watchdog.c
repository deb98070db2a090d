// SPDX-License-Identifier: GPL-2.0
/*
 * The suite's own watchdog: a thread outside every group that ends the
 * run when one repetition takes far longer than it should, after dumping
 * what a hang needs for diagnosis (wsched's debugfs view of the groups,
 * each of our threads' state, wait channel and kernel stack) on stderr.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "bench.h"

static atomic_uint runs;
static unsigned int limit_s;

static void cat(const char *path, const char *prefix)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "bench: hang: %s%s", prefix, line);
	fclose(f);
}

static void dump_dir(const char *dir, const char *pattern, const char *sub)
{
	char path[300];
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (!dp)
		return;
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.' || !strstr(d->d_name, pattern))
			continue;
		snprintf(path, sizeof(path), "%s/%s%s", dir, d->d_name, sub);
		fprintf(stderr, "bench: hang: == %s\n", path);
		cat(path, "");
	}
	closedir(dp);
}

static void dump(void)
{
	cat("/sys/kernel/debug/wsched/counters", "");
	dump_dir("/sys/kernel/debug/wsched", "group", "");
	dump_dir("/proc/self/task", "", "/stat");
	dump_dir("/proc/self/task", "", "/wchan");
	dump_dir("/proc/self/task", "", "/stack");
}

static void *watch(void *arg)
{
	unsigned int seen = ~0u, same = 0, now;

	(void)arg;
	for (;;) {
		bench_sleep_ms(1000);
		now = atomic_load(&runs);
		same = now == seen ? same + 1 : 0;
		seen = now;
		if (same < limit_s)
			continue;
		fprintf(stderr, "bench: hang: run %u has not finished in %u s; dumping state and giving up\n",
			now, limit_s);
		dump();
		fflush(stdout);
		_exit(3);
	}
	return NULL;
}

void bench_watchdog_start(unsigned int seconds)
{
	pthread_t th;

	limit_s = seconds;
	if (pthread_create(&th, NULL, watch, NULL))
		die("pthread_create");
	pthread_detach(th);
}

void bench_watchdog_pet(void)
{
	atomic_fetch_add(&runs, 1);
}
