/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libwsched: the C interface to /dev/wsched. Every call returns 0 (or a
 * descriptor) on success and -errno on failure, like the raw ioctl; the
 * caller decides whether an error is fatal.
 */
#ifndef LIBWSCHED_H
#define LIBWSCHED_H

#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <uapi/wsched.h>

struct wsched_params {
	uint32_t slice_us;		/* default 20000 */
	enum wsched_steal steal;	/* default WSCHED_STEAL_TOPOLOGY */
	enum wsched_balance balance;	/* default WSCHED_BALANCE_FAIR */
	enum wsched_place place;	/* default WSCHED_PLACE_LEAST */
	uint32_t watchdog_ms;		/* 0: the module's default */
	/* Since LIBWSCHED_0.1; needs ABI minor 1 when not 0. */
	uint32_t balance_gap;		/* slices; 0: the module's default */
};

/* Group counters, as copied out by wsched_stats_read(). */
struct wsched_group_stats {
	struct wsched_stats g;
	struct wsched_cpu_stats *cpus;		/* g.nr_cpus entries */
	struct wsched_thread_stats *threads;	/* nr_threads entries */
	unsigned int nr_threads;
};

void wsched_params_default(struct wsched_params *p);
/* Open /dev/wsched (O_CLOEXEC) and check the ABI major. */
int wsched_open(void);
int wsched_version(int fd, struct wsched_version *v);
/* Create the group owned by @fd on @cpus; @group_id may be NULL. */
int wsched_create(int fd, const cpu_set_t *cpus, const struct wsched_params *p,
		  uint32_t *group_id);
/* @tid 0 is the calling thread; @cpu (may be NULL) gets its home CPU. */
int wsched_join(int fd, pid_t tid, int *cpu);
int wsched_leave(int fd, pid_t tid);
/* Allocates the arrays; free them with wsched_stats_free(). */
int wsched_stats_read(int fd, struct wsched_group_stats *s);
void wsched_stats_free(struct wsched_group_stats *s);
void wsched_stats_print(FILE *f, const struct wsched_group_stats *s);

/* Policy names as the command line spells them; -1 / NULL when unknown. */
int wsched_steal_parse(const char *s);
int wsched_balance_parse(const char *s);
int wsched_place_parse(const char *s);
const char *wsched_steal_name(int v);
const char *wsched_balance_name(int v);
const char *wsched_place_name(int v);

#endif
