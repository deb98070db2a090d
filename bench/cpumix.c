// SPDX-License-Identifier: GPL-2.0
/*
 * smpkit-cpumix: a small CPU mix in the spirit of stress-ng's cpu
 * stressor (which the guest does not have), run as an unmodified program
 * by the benchmark: processes x threads, each doing a fixed amount of
 * integer, floating-point and memory-copy work, then "Total time: S [sec]".
 */
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <smpkit/util.h>

static uint64_t work = 20;	/* rounds of the three kernels */

static uint64_t kernel_int(uint64_t n)
{
	uint64_t h = 1469598103934665603ull;

	while (n--)
		h = (h ^ (n & 0xff)) * 1099511628211ull;
	return h;
}

static double kernel_fp(uint64_t n)
{
	double x = 0.5, acc = 0;

	while (n--) {
		acc += sqrt(x) * sin(x);
		x += 1e-6;
	}
	return acc;
}

static uint64_t kernel_mem(unsigned char *a, unsigned char *b, size_t len)
{
	memcpy(b, a, len);
	memset(a, b[len / 2] + 1, len);
	return a[len - 1];
}

static void *thread_main(void *arg)
{
	size_t len = 256 << 10;
	unsigned char *a = malloc(len), *b = malloc(len);
	volatile double sink = 0;
	uint64_t r;
	int i;

	(void)arg;
	if (!a || !b)
		die("out of memory");
	memset(a, 1, len);
	for (r = 0; r < work; r++) {
		sink += kernel_int(200000);
		sink += kernel_fp(50000);
		for (i = 0; i < 4; i++)
			sink += kernel_mem(a, b, len);
	}
	free(a);
	free(b);
	return NULL;
}

static void process_main(int threads)
{
	pthread_t th[64];
	int i;

	for (i = 0; i < threads; i++)
		if (pthread_create(&th[i], NULL, thread_main, NULL))
			die("pthread_create");
	for (i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "procs", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 't' },
		{ "work", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	uint64_t procs = 3, threads = 2;
	struct timespec t0, t1;
	int o, status, bad = 0;
	uint64_t i;

	smpkit_prog = "smpkit-cpumix";
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'p' && parse_u64(optarg, 1, 64, &procs))
			continue;
		if (o == 't' && parse_u64(optarg, 1, 64, &threads))
			continue;
		if (o == 'w' && parse_u64(optarg, 1, 1000000, &work))
			continue;
		printf("usage: smpkit-cpumix [--procs 1..64] [--threads 1..64] [--work ROUNDS]\n");
		return o == 'h' ? 0 : 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die_errno("fork");
		if (!pid) {
			process_main((int)threads);
			_exit(0);
		}
	}
	while (wait(&status) > 0)
		bad |= !WIFEXITED(status) || WEXITSTATUS(status);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# %llu processes x %llu threads, %llu rounds each\n",
	       (unsigned long long)procs, (unsigned long long)threads,
	       (unsigned long long)work);
	printf("Total time: %.3f [sec]\n", (t1.tv_sec - t0.tv_sec) +
	       (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return bad;
}
