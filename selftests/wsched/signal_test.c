// SPDX-License-Identifier: GPL-2.0
/*
 * signal_test: a signal ends a member's wait in its first gate (joined by
 * tid, never pinned yet). Once the signal is dequeued it passes the gate
 * again, so its handler runs only with the token, and it is pinned to
 * its home (before, it ran the handler at once, out of the group's
 * control, and kept its old CPUs, where no group timer sees it).
 */
#include <signal.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "ktap.h"
#include "wutil.h"

static int gfd;
static atomic_int stop, holder_sleep, got_signal;
static atomic_int holder_joined;	/* 1 joined, -1 failed */
static atomic_int waiter_tid;
static atomic_ulong loops;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&got_signal, 1);
}

/* Spins in user mode; joined from outside by its tid. */
static void *waiter(void *arg)
{
	(void)arg;
	atomic_store(&waiter_tid, gettid());
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		atomic_fetch_add_explicit(&loops, 1, memory_order_relaxed);
	return NULL;
}

/* Holds CPU 1's token, spinning, then mostly sleeps (leaves it idle). */
static void *holder(void *arg)
{
	int cpu;

	(void)arg;
	if (wsched_join(gfd, 0, &cpu)) {
		atomic_store(&holder_joined, -1);
		return NULL;
	}
	atomic_store(&holder_joined, 1);
	while (!atomic_load(&holder_sleep))
		;
	while (!atomic_load(&stop))
		sleep_ms(20);
	return NULL;
}

/* The waiter's stats entry: state, or -1 if it is not a member. */
static int waiter_stats(uint64_t *dispatches)
{
	struct wsched_group_stats st;
	unsigned int i;
	int state = -1;

	if (wsched_stats_read(gfd, &st))
		return -1;
	for (i = 0; i < st.nr_threads; i++) {
		if (st.threads[i].tid == atomic_load(&waiter_tid)) {
			state = st.threads[i].state;
			*dispatches = st.threads[i].dispatches;
		}
	}
	wsched_stats_free(&st);
	return state;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct wsched_params p;
	pthread_t w, h;
	uint64_t disp = 0;
	cpu_set_t set;
	int cpu = -1, ret, state = -1, i, requeued = 0;
	unsigned long l0, l1;

	wutil_init();
	ktap_plan(4);
	sigaction(SIGUSR1, &sa, NULL);
	wsched_params_default(&p);
	/* The longest slice: the waiter stays queued while we look. */
	p.slice_us = 1000000;
	gfd = group_open("1", &p);
	pthread_create(&w, NULL, waiter, NULL);
	pthread_create(&h, NULL, holder, NULL);
	while (!atomic_load(&holder_joined) || !atomic_load(&waiter_tid))
		sleep_ms(1);
	if (atomic_load(&holder_joined) < 0)
		die("the holder could not join CPU 1's group");

	ret = wsched_join(gfd, atomic_load(&waiter_tid), &cpu);
	for (i = 0; i < 200 && state != 1; i++) {
		sleep_ms(2);
		state = waiter_stats(&disp);
	}
	ktap_ok(!ret && cpu == 1 && state == 1,
		"joined by tid, it waits in its gate behind the holder (join %d, cpu %d, state %d)",
		ret, cpu, state);

	/*
	 * The holder keeps the token (a 1 s slice): the signal ends the
	 * wait, but the handler is user code and waits its turn; it runs
	 * once the waiter is dispatched.
	 */
	pthread_kill(w, SIGUSR1);
	for (i = 0; i < 1500 && !atomic_load(&got_signal); i++) {
		state = waiter_stats(&disp);
		if (state == 1 && !atomic_load(&got_signal))
			requeued++;
		sleep_ms(2);
	}
	disp = 0;
	state = waiter_stats(&disp);
	CPU_ZERO(&set);
	pinned_cpus(atomic_load(&waiter_tid), &set);
	ktap_ok(atomic_load(&got_signal) && requeued && disp >= 1 && state >= 0,
		"a signal ends the wait; the member queues again and its handler runs only with the token (queued %d looks, %llu dispatches, state %d)",
		requeued, (unsigned long long)disp, state);
	ktap_ok(CPU_COUNT(&set) == 1 && CPU_ISSET(1, &set),
		"it returns to user mode pinned to its home, CPU 1 (%d CPUs allowed)",
		CPU_COUNT(&set));

	/* The holder sleeps: the waiter holds CPU 1's token and runs. */
	atomic_store(&holder_sleep, 1);
	for (i = 0, state = -1; i < 250 && state != 0; i++) {
		sleep_ms(20);
		state = waiter_stats(&disp);
	}
	l0 = atomic_load(&loops);
	sleep_ms(200);
	l1 = atomic_load(&loops);
	ktap_ok(state == 0 && l1 > l0,
		"with the holder asleep it holds the token and runs (state %d, %lu loops in 200 ms)",
		state, l1 - l0);

	atomic_store(&stop, 1);
	pthread_join(w, NULL);
	pthread_join(h, NULL);
	close(gfd);
	return ktap_finish();
}
