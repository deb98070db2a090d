// SPDX-License-Identifier: GPL-2.0
/* libwsched: argument packing for the /dev/wsched ioctls (see libwsched.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <libwsched.h>

static const char *const steal_names[] = {
	[WSCHED_STEAL_NONE] = "none",
	[WSCHED_STEAL_RANDOM] = "random",
	[WSCHED_STEAL_BUSIEST] = "busiest",
	[WSCHED_STEAL_TOPOLOGY] = "topology",
};
static const char *const balance_names[] = {
	[WSCHED_BALANCE_NONE] = "none",
	[WSCHED_BALANCE_FAIR] = "fair",
};
static const char *const place_names[] = {
	[WSCHED_PLACE_LEAST] = "least",
	[WSCHED_PLACE_CURRENT] = "current",
	[WSCHED_PLACE_RR] = "rr",
};

static int name_parse(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (s && !strcmp(s, names[i]))
			return i;
	return -1;
}

#define NAMES(a) a, (int)(sizeof(a) / sizeof(a[0]))
int wsched_steal_parse(const char *s) { return name_parse(NAMES(steal_names), s); }
int wsched_balance_parse(const char *s) { return name_parse(NAMES(balance_names), s); }
int wsched_place_parse(const char *s) { return name_parse(NAMES(place_names), s); }

const char *wsched_steal_name(int v)
{
	return v >= 0 && v < WSCHED_STEAL_NR ? steal_names[v] : NULL;
}

const char *wsched_balance_name(int v)
{
	return v >= 0 && v < WSCHED_BALANCE_NR ? balance_names[v] : NULL;
}

const char *wsched_place_name(int v)
{
	return v >= 0 && v < WSCHED_PLACE_NR ? place_names[v] : NULL;
}

static int ioc(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/*
 * struct wsched_params grew balance_gap in LIBWSCHED_0.1. A program
 * linked against LIBWSCHED_0 passes the smaller struct: it binds to the
 * versions below that neither write nor read past it (glibc's way of
 * growing a struct without a new soname). Programs built now get the
 * default (@@) versions.
 */
struct params_v0 {
	uint32_t slice_us;
	enum wsched_steal steal;
	enum wsched_balance balance;
	enum wsched_place place;
	uint32_t watchdog_ms;
};

static void defaults(struct wsched_params *p)
{
	memset(p, 0, sizeof(*p));
	p->slice_us = 20000;
	p->steal = WSCHED_STEAL_TOPOLOGY;
	p->balance = WSCHED_BALANCE_FAIR;
	p->place = WSCHED_PLACE_LEAST;
}

void libwsched_params_default_v1(struct wsched_params *p);
void libwsched_params_default_v1(struct wsched_params *p)
{
	defaults(p);
}
__asm__(".symver libwsched_params_default_v1, wsched_params_default@@LIBWSCHED_0.1");

void libwsched_params_default_v0(struct params_v0 *p);
void libwsched_params_default_v0(struct params_v0 *p)
{
	struct wsched_params q;

	defaults(&q);
	memcpy(p, &q, sizeof(*p));
}
__asm__(".symver libwsched_params_default_v0, wsched_params_default@LIBWSCHED_0");

int wsched_version(int fd, struct wsched_version *v)
{
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	return ioc(fd, WSCHED_IOC_VERSION, v);
}

int wsched_open(void)
{
	struct wsched_version v;
	int fd, ret;

	fd = open(WSCHED_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = wsched_version(fd, &v);
	if (!ret && v.major != WSCHED_ABI_MAJOR)
		ret = -EPROTO;
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static int create(int fd, const cpu_set_t *cpus, const struct wsched_params *p,
		  uint32_t *group_id)
{
	struct wsched_group_args a;
	int cpu, ret;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.slice_us = p->slice_us;
	a.steal = p->steal;
	a.balance = p->balance;
	a.place = p->place;
	a.watchdog_ms = p->watchdog_ms;
	a.balance_gap = p->balance_gap;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, cpus))
			continue;
		if (cpu >= WSCHED_MAX_CPUS)
			return -EINVAL;
		a.cpus[cpu / 64] |= 1ull << (cpu % 64);
	}
	ret = ioc(fd, WSCHED_IOC_CREATE, &a);
	if (!ret && group_id)
		*group_id = a.group_id;
	return ret;
}

int libwsched_create_v1(int fd, const cpu_set_t *cpus,
			 const struct wsched_params *p, uint32_t *group_id);
int libwsched_create_v1(int fd, const cpu_set_t *cpus,
			 const struct wsched_params *p, uint32_t *group_id)
{
	return create(fd, cpus, p, group_id);
}
__asm__(".symver libwsched_create_v1, wsched_create@@LIBWSCHED_0.1");

int libwsched_create_v0(int fd, const cpu_set_t *cpus,
			 const struct params_v0 *p, uint32_t *group_id);
int libwsched_create_v0(int fd, const cpu_set_t *cpus,
			 const struct params_v0 *p, uint32_t *group_id)
{
	struct wsched_params q = { 0 };

	memcpy(&q, p, sizeof(*p));
	return create(fd, cpus, &q, group_id);
}
__asm__(".symver libwsched_create_v0, wsched_create@LIBWSCHED_0");

static int thread_ioc(int fd, unsigned long cmd, pid_t tid, int *cpu)
{
	struct wsched_thread_args a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.tid = tid;
	ret = ioc(fd, cmd, &a);
	if (!ret && cpu)
		*cpu = (int)a.cpu;
	return ret;
}

int wsched_join(int fd, pid_t tid, int *cpu)
{
	return thread_ioc(fd, WSCHED_IOC_JOIN, tid, cpu);
}

int wsched_leave(int fd, pid_t tid)
{
	return thread_ioc(fd, WSCHED_IOC_LEAVE, tid, NULL);
}

int wsched_stats_read(int fd, struct wsched_group_stats *s)
{
	unsigned int room = 64;
	int ret;

	memset(s, 0, sizeof(*s));
	s->cpus = calloc(WSCHED_MAX_CPUS, sizeof(*s->cpus));
	if (!s->cpus)
		return -ENOMEM;
	/* Threads come and go: grow the room until the snapshot fits. */
	for (;;) {
		free(s->threads);
		s->threads = calloc(room, sizeof(*s->threads));
		if (!s->threads) {
			ret = -ENOMEM;
			break;
		}
		memset(&s->g, 0, sizeof(s->g));
		s->g.size = sizeof(s->g);
		s->g.cpus_ptr = (uintptr_t)s->cpus;
		s->g.cpus_room = WSCHED_MAX_CPUS;
		s->g.threads_ptr = (uintptr_t)s->threads;
		s->g.nr_threads = room;
		ret = ioc(fd, WSCHED_IOC_STATS, &s->g);
		if (ret || s->g.nr_threads <= room || room >= WSCHED_MAX_THREADS)
			break;
		room = s->g.nr_threads * 2 > WSCHED_MAX_THREADS ?
			WSCHED_MAX_THREADS : s->g.nr_threads * 2;
	}
	if (ret) {
		wsched_stats_free(s);
		return ret;
	}
	s->nr_threads = s->g.nr_threads < room ? s->g.nr_threads : room;
	return 0;
}

void wsched_stats_free(struct wsched_group_stats *s)
{
	free(s->cpus);
	free(s->threads);
	s->cpus = NULL;
	s->threads = NULL;
}
