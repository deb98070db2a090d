/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the wsched selftests: a group on a CPU list, spinner threads
 * that measure their CPU share and uninterrupted stretches with the TSC,
 * and fairness arithmetic. Runs inside the VM rig.
 */
#ifndef WSCHED_WUTIL_H
#define WSCHED_WUTIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <libwsched.h>

#include "kmod.h"

#define MAX_STRETCHES 4096

struct spinner {
	pthread_t th;
	int fd;			/* group descriptor; -1: do not join */
	int start_cpu;		/* run here before joining (place=current) */
	const cpu_set_t *mask;	/* affinity at join time; NULL: unchanged */
	pid_t tid;
	int id;
	int join_err;
	int home;		/* CPU the join placed it on */
	uint64_t loops;		/* spin iterations in the window: work done */
	uint64_t turns;		/* times it took the CPU over in the window */
	uint64_t cpu0, cpu1;	/* thread CPU time (ns) at window start/end */
	uint64_t nstretch;
	uint64_t stretch[MAX_STRETCHES];	/* ns each */
};

struct spin_ctl {
	atomic_int phase;	/* 0 warm-up, 1 window, 2 done, 3 exit */
	pthread_barrier_t ready;
	atomic_int done;	/* spinners that read their CPU time */
	atomic_int owner;	/* spinner that ran last (one-CPU tests) */
};

extern struct spin_ctl spin_ctl;

void wutil_init(void);		/* load the module, calibrate the TSC */
int group_open(const char *cpus, const struct wsched_params *p);
uint64_t now_ns(void);
uint64_t thread_cpu_ns(void);
void sleep_ms(unsigned int ms);
/*
 * Start @n spinners, run a warm-up and a window; fills the spinners and
 * returns the window's wall time in ns. Stretches are meaningful only
 * when all spinners share one CPU.
 */
double spin_run(struct spinner *s, int n, unsigned int warm_ms,
		unsigned int window_ms);
/* End the spinners started by spin_run() (they stay members until then). */
void spin_stop(struct spinner *s, int n);
double jain(const double *x, int n);
uint64_t median_u64(uint64_t *v, uint64_t n);
bool set_cpus(pid_t tid, const char *list);
/*
 * The CPUs the kernel lets @tid run on (/proc's Cpus_allowed_list): a
 * member's sched_getaffinity() reports the group's CPUs, not its pin.
 */
bool pinned_cpus(pid_t tid, cpu_set_t *set);
/* The state letter of @tid of @pid in /proc ('S', 'R', ...), or 0. */
char task_state(pid_t pid, pid_t tid);

#endif
