// SPDX-License-Identifier: GPL-2.0
/*
 * wakeplace_test: wake-time placement. A member W woken while its home
 * CPU's token is held by a spinner S, with another group CPU idle, must
 * run on the idle CPU within a quarter slice; woken with its home idle,
 * it must stay home. S is SCHED_FIFO so that the kernel never runs W on
 * the busy home: without placement W waits there until the RT throttle
 * lets it run (up to most of a second), then for the token.
 */
#include <linux/futex.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ktap.h"
#include "wutil.h"

#define SLICE_US	200000
#define BOUND_NS	(SLICE_US * 1000ull / 4)
#define BUSY_ROUNDS	5
#define IDLE_ROUNDS	2
#define HOME		0	/* W's home before each wake-up */
#define OTHER		1	/* the idle group CPU */

static struct {
	int fd;
	atomic_int exit;
	_Atomic uint32_t s_run;		/* S spins while set, sleeps while not */
	atomic_int s_spinning;
	_Atomic uint32_t w_seq;		/* bumped to wake W */
	atomic_int w_ready;		/* W is home and about to sleep */
	atomic_int w_tid;
	atomic_int w_done;		/* W ran after the wake-up */
	atomic_int errors;
	uint64_t t_wake;		/* when W was woken, ns */
	uint64_t lat_ns;		/* W's wake-up to running, ns */
	int w_cpu;			/* where W ran */
} x;

#define WAKE_PLACE	"/sys/module/wsched/parameters/wake_place"

/* Set the module's wake_place to @on; returns its old value, -1 if none. */
static int set_wake_place(int on)
{
	FILE *f = fopen(WAKE_PLACE, "r+");
	char old = 0;

	if (!f)
		return -1;
	if (fscanf(f, " %c", &old) != 1 || fseek(f, 0, SEEK_SET) ||
	    fputc(on ? '1' : '0', f) == EOF) {
		fclose(f);
		return -1;
	}
	return fclose(f) ? -1 : old == 'Y' || old == '1';
}

static void futex_op(_Atomic uint32_t *w, int op, uint32_t val)
{
	struct timespec ts = { .tv_sec = 1 };

	syscall(SYS_futex, w, op, val, op == FUTEX_WAIT_PRIVATE ? &ts : NULL,
		NULL, 0);
}

static void set_mask(int a, int b)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(a, &set);
	CPU_SET(b, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		atomic_fetch_add(&x.errors, 1);
}

static void *spinner(void *arg)
{
	struct sched_param sp = { .sched_priority = 1 };

	(void)arg;
	set_mask(HOME, HOME);
	if (wsched_join(x.fd, 0, NULL) ||
	    sched_setscheduler(0, SCHED_FIFO, &sp)) {
		atomic_fetch_add(&x.errors, 1);
		return NULL;
	}
	while (!atomic_load(&x.exit)) {
		if (!atomic_load(&x.s_run)) {
			futex_op(&x.s_run, FUTEX_WAIT_PRIVATE, 0);
			continue;
		}
		atomic_store(&x.s_spinning, 1);
		while (atomic_load_explicit(&x.s_run, memory_order_relaxed) &&
		       !atomic_load_explicit(&x.exit, memory_order_relaxed))
			;
		atomic_store(&x.s_spinning, 0);
	}
	return NULL;
}

/*
 * Make HOME W's home again, allowed both CPUs: pinned to HOME by the
 * user, its gate moves it there at the next wake-up; then widened, its
 * home stays (HOME is idle, S sleeps).
 */
static bool go_home(void)
{
	int tries;

	for (tries = 0; tries < 50; tries++) {
		set_mask(HOME, HOME);
		usleep(2000);
		set_mask(HOME, OTHER);
		usleep(2000);
		if (sched_getcpu() == HOME)
			return true;
	}
	return false;
}

static void *wakee(void *arg)
{
	uint32_t seq = 0;

	(void)arg;
	atomic_store(&x.w_tid, gettid());
	set_mask(HOME, OTHER);
	if (wsched_join(x.fd, 0, NULL)) {
		atomic_fetch_add(&x.errors, 1);
		return NULL;
	}
	while (!atomic_load(&x.exit)) {
		if (!go_home())
			atomic_fetch_add(&x.errors, 1);
		seq = atomic_load(&x.w_seq);
		atomic_store(&x.w_ready, 1);
		while (atomic_load(&x.w_seq) == seq && !atomic_load(&x.exit))
			futex_op(&x.w_seq, FUTEX_WAIT_PRIVATE, seq);
		x.w_cpu = sched_getcpu();
		x.lat_ns = now_ns() - x.t_wake;
		atomic_store(&x.w_ready, 0);
		atomic_store(&x.w_done, 1);
	}
	return NULL;
}

static bool wait_flag(atomic_int *f, int val, unsigned int ms)
{
	while (atomic_load(f) != val && ms--)
		sleep_ms(1);
	return atomic_load(f) == val;
}

static void set_s(bool run)
{
	atomic_store(&x.s_run, run);
	futex_op(&x.s_run, FUTEX_WAKE_PRIVATE, 1);
}

/* One wake-up of W, with S spinning on W's home (@busy) or asleep. */
static bool round_once(bool busy, uint64_t *lat, int *cpu)
{
	int ms = 5000;

	if (!wait_flag(&x.w_ready, 1, 5000))
		return false;
	/* W asleep in its futex (its promise of a gate is the probe's cue). */
	while (task_state(getpid(), atomic_load(&x.w_tid)) != 'S' && ms--)
		sleep_ms(1);
	sleep_ms(5);
	if (busy) {
		set_s(true);
		if (!wait_flag(&x.s_spinning, 1, 5000))
			return false;
	}
	atomic_store(&x.w_done, 0);
	x.t_wake = now_ns();
	atomic_fetch_add(&x.w_seq, 1);
	futex_op(&x.w_seq, FUTEX_WAKE_PRIVATE, 1);
	if (!wait_flag(&x.w_done, 1, 5000))
		return false;
	set_s(false);
	if (!wait_flag(&x.s_spinning, 0, 5000))
		return false;
	*lat = x.lat_ns;
	*cpu = x.w_cpu;
	return true;
}

int main(void)
{
	uint64_t lat[BUSY_ROUNDS], med;
	int cpu, on_other = 0, stayed = 0, was, i;
	struct wsched_params p;
	pthread_t s, w;
	cpu_set_t me;
	char list[16];

	wutil_init();
	if (sysconf(_SC_NPROCESSORS_ONLN) < 3)
		ktap_skip_all("needs 3 CPUs (two for the group, one for the test)");
	ktap_plan(2);
	/* On for this test, whatever the default; restored at the end. */
	was = set_wake_place(1);
	if (was < 0) {
		printf("Bail out! %s: cannot set it\n", WAKE_PLACE);
		return KTAP_FAIL;
	}
	wsched_params_default(&p);
	p.slice_us = SLICE_US;
	p.balance = WSCHED_BALANCE_NONE;
	snprintf(list, sizeof(list), "%d,%d", HOME, OTHER);
	x.fd = group_open(list, &p);
	if (x.fd < 0) {
		printf("Bail out! group: %s\n", strerror(-x.fd));
		return KTAP_FAIL;
	}
	/*
	 * Off the group CPUs, where S spins at real-time priority; only now:
	 * a group's CPUs must be allowed to its creator.
	 */
	CPU_ZERO(&me);
	CPU_SET(2, &me);
	if (sched_setaffinity(0, sizeof(me), &me)) {
		printf("Bail out! affinity: %s\n", strerror(errno));
		return KTAP_FAIL;
	}
	pthread_create(&s, NULL, spinner, NULL);
	pthread_create(&w, NULL, wakee, NULL);

	for (i = 0; i < BUSY_ROUNDS + IDLE_ROUNDS; i++) {
		bool busy = i < BUSY_ROUNDS;
		uint64_t l;

		if (!round_once(busy, &l, &cpu)) {
			atomic_fetch_add(&x.errors, 1);
			break;
		}
		ktap_diag("%s home: woken W ran on CPU %d after %.2f ms",
			  busy ? "busy" : "idle", cpu, l / 1e6);
		if (busy) {
			lat[i] = l;
			on_other += cpu == OTHER;
		} else {
			stayed += cpu == HOME;
		}
	}
	atomic_store(&x.exit, 1);
	set_s(false);
	atomic_fetch_add(&x.w_seq, 1);
	futex_op(&x.w_seq, FUTEX_WAKE_PRIVATE, 1);
	pthread_join(s, NULL);
	pthread_join(w, NULL);
	close(x.fd);
	set_wake_place(was);
	if (atomic_load(&x.errors)) {
		printf("Bail out! %d setup errors (join, affinity, SCHED_FIFO or a lost round)\n",
		       atomic_load(&x.errors));
		return KTAP_FAIL;
	}

	med = median_u64(lat, BUSY_ROUNDS);
	ktap_ok(med < BOUND_NS && on_other > BUSY_ROUNDS / 2,
		  "busy home, idle group CPU: median wake-up to running %.2f ms (bound %.0f ms, a quarter slice), on the idle CPU %d/%d times",
		  med / 1e6, BOUND_NS / 1e6, on_other, BUSY_ROUNDS);
	ktap_ok(stayed == IDLE_ROUNDS,
		  "idle home: the woken member stayed home %d/%d times",
		  stayed, IDLE_ROUNDS);
	return ktap_finish();
}
