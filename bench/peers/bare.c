// SPDX-License-Identifier: GPL-2.0
/*
 * smpkit-bare: the reference that "smpkit locks" is compared with in
 * bench/peers/compare.sh. One pinned thread runs a fixed count of plain
 * loops -- lock, @cs increments of a shared word, unlock -- with each
 * lock written out here, inline, in its smallest form, and no harness:
 * no stop flag, no team, no per-thread counters. The RCU row is a bare
 * urcu-memb read (read lock, one load through the published pointer,
 * read unlock). What the probe costs above these loops is its overhead
 * (issue 17's targets: 0.5 ns a lock, 10 % for the RCU read).
 */
#define _LGPL_SOURCE	/* inline urcu read-side fast paths */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <urcu/urcu-memb.h>
#include <urcu/pointer.h>

static volatile uint64_t shared[8];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* The probe's critical section: @n updates of the line, then its counter. */
#define CS(n) do {						\
		for (unsigned int _i = 0; _i < (n); _i++)	\
			shared[_i % 7]++;			\
		shared[7]++;					\
	} while (0)

static _Alignas(64) atomic_int tas;

static void loop_tas(uint64_t n, unsigned int cs)
{
	while (n--) {
		while (atomic_exchange_explicit(&tas, 1, memory_order_acquire))
			__builtin_ia32_pause();
		CS(cs);
		atomic_store_explicit(&tas, 0, memory_order_release);
	}
}

/* Test and test-and-set; alone it never waits, so no back-off here. */
static void loop_ttas(uint64_t n, unsigned int cs)
{
	while (n--) {
		for (;;) {
			while (atomic_load_explicit(&tas, memory_order_relaxed))
				__builtin_ia32_pause();
			if (!atomic_exchange_explicit(&tas, 1,
						      memory_order_acquire))
				break;
		}
		CS(cs);
		atomic_store_explicit(&tas, 0, memory_order_release);
	}
}

static _Alignas(64) struct { atomic_uint next, owner; } tk;

static void loop_ticket(uint64_t n, unsigned int cs)
{
	while (n--) {
		unsigned int me = atomic_fetch_add_explicit(&tk.next, 1,
						memory_order_relaxed);

		while (atomic_load_explicit(&tk.owner, memory_order_acquire) != me)
			__builtin_ia32_pause();
		CS(cs);
		atomic_store_explicit(&tk.owner, me + 1, memory_order_release);
	}
}

struct qnode {
	_Alignas(64) _Atomic(struct qnode *) next;
	atomic_int wait;
};
static _Alignas(64) _Atomic(struct qnode *) mcs_tail;

static void loop_mcs(uint64_t n, unsigned int cs)
{
	static struct qnode me;

	while (n--) {
		struct qnode *prev, *next, *expect = &me;

		atomic_store_explicit(&me.next, NULL, memory_order_relaxed);
		atomic_store_explicit(&me.wait, 1, memory_order_relaxed);
		prev = atomic_exchange_explicit(&mcs_tail, &me,
						memory_order_acq_rel);
		if (prev) {
			atomic_store_explicit(&prev->next, &me,
					      memory_order_release);
			while (atomic_load_explicit(&me.wait, memory_order_acquire))
				__builtin_ia32_pause();
		}
		CS(cs);
		if (atomic_compare_exchange_strong_explicit(&mcs_tail, &expect,
				NULL, memory_order_release, memory_order_relaxed))
			continue;
		while (!(next = atomic_load_explicit(&me.next,
						     memory_order_acquire)))
			__builtin_ia32_pause();
		atomic_store_explicit(&next->wait, 0, memory_order_release);
	}
}

static pthread_spinlock_t spin;

static void loop_spin(uint64_t n, unsigned int cs)
{
	while (n--) {
		pthread_spin_lock(&spin);
		CS(cs);
		pthread_spin_unlock(&spin);
	}
}

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;

static void loop_mutex(uint64_t n, unsigned int cs)
{
	while (n--) {
		pthread_mutex_lock(&mutex);
		CS(cs);
		pthread_mutex_unlock(&mutex);
	}
}

struct record {
	uint64_t f[8];
};
static struct record *gp;
static uint64_t sink;

static void loop_rcu(uint64_t n, unsigned int cs)
{
	uint64_t sum = 0;

	(void)cs;
	while (n--) {
		urcu_memb_read_lock();
		sum += rcu_dereference(gp)->f[0];
		urcu_memb_read_unlock();
	}
	sink += sum;
}

static const struct {
	const char *name;
	void (*loop)(uint64_t n, unsigned int cs);
} loops[] = {
	{ "tas", loop_tas }, { "ttas", loop_ttas }, { "ticket", loop_ticket },
	{ "mcs", loop_mcs },
	{ "spin", loop_spin }, { "mutex", loop_mutex }, { "rcu", loop_rcu },
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of @reps runs of about @ms each, in ns a loop. */
static double measure(void (*loop)(uint64_t, unsigned int), unsigned int cs,
		      unsigned int ms, int reps)
{
	uint64_t n = 1000, t;
	double v[64];

	/* Grow the count until a run lasts a tenth of @ms, then scale. */
	for (;;) {
		t = now_ns();
		loop(n, cs);
		t = now_ns() - t;
		if (t >= ms * 100000ull || n > (1ull << 40))
			break;
		n *= 4;
	}
	n = (uint64_t)((double)n * ms * 1e6 / (t ? t : 1)) + 1;
	for (int r = 0; r < reps; r++) {
		t = now_ns();
		loop(n, cs);
		v[r] = (double)(now_ns() - t) / n;
	}
	qsort(v, reps, sizeof(v[0]), cmp_double);
	return v[reps / 2];
}

/*
 * A second thread that only sleeps: glibc's mutex skips its atomic in a
 * process of one thread, and the probe never is one.
 */
static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: smpkit-bare [--cpu N] [--cs N] [--ms MS] [--reps N] [NAME...]\n"
		"One pinned thread, plain inline loops with no harness: lock, N\n"
		"increments of a shared word (default 1) and one more, unlock; or\n"
		"a urcu-memb read (rcu). Prints NAME and the median ns a loop over\n"
		"--reps runs (default 5) of --ms each (default 200). NAMEs: tas\n"
		"ttas ticket mcs spin mutex rcu (default all). The reference of\n"
		"bench/peers/compare.sh for 'smpkit locks -t 1 --outside 0'.\n");
}

static long arg_num(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "smpkit-bare: %s takes a number from %ld to %ld, not '%s'\n",
			opt, lo, hi, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned int cs = 1, ms = 200;
	int cpu = -1, reps = 5, i, first, picked = 0;
	struct record rec = { { 1 } };
	pthread_t th;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			usage(stdout);
			return 0;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "smpkit-bare: unknown option or no value: '%s'\n", o);
			usage(stderr);
			return 2;
		}
		if (!strcmp(o, "--cpu"))
			cpu = arg_num(o, argv[++i], 0, CPU_SETSIZE - 1);
		else if (!strcmp(o, "--cs"))
			cs = arg_num(o, argv[++i], 0, 1000);
		else if (!strcmp(o, "--ms"))
			ms = arg_num(o, argv[++i], 1, 10000);
		else if (!strcmp(o, "--reps"))
			reps = arg_num(o, argv[++i], 1, 63);
		else {
			fprintf(stderr, "smpkit-bare: unknown option '%s'\n", o);
			usage(stderr);
			return 2;
		}
	}
	first = i;
	for (; i < argc; i++) {
		size_t k;

		for (k = 0; k < sizeof(loops) / sizeof(loops[0]); k++)
			if (!strcmp(argv[i], loops[k].name))
				break;
		if (k == sizeof(loops) / sizeof(loops[0])) {
			fprintf(stderr, "smpkit-bare: no loop '%s' (tas ttas ticket mcs spin mutex rcu)\n",
				argv[i]);
			return 2;
		}
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "smpkit-bare: cannot pin to CPU %d: %s\n",
				cpu, strerror(errno));
			return 1;
		}
	}
	if (pthread_create(&th, NULL, sleeper, NULL)) {
		fprintf(stderr, "smpkit-bare: cannot start its second thread\n");
		return 1;
	}
	pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
	gp = &rec;
	urcu_memb_register_thread();
	for (size_t k = 0; k < sizeof(loops) / sizeof(loops[0]); k++) {
		bool want = first == argc;

		for (i = first; i < argc; i++)
			want |= !strcmp(argv[i], loops[k].name);
		if (!want)
			continue;
		picked++;
		printf("%s %.3f\n", loops[k].name,
		       measure(loops[k].loop, cs, ms, reps));
		fflush(stdout);
	}
	urcu_memb_unregister_thread();
	return picked ? 0 : 1;
}
