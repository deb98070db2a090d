// SPDX-License-Identifier: GPL-2.0
/*
 * cpuset_test: a member asleep in read() is confined by the administrator
 * (moved into a cgroup-v2 cpuset of one CPU, or given new CPUs with
 * sched_setaffinity()); when it leaves the group (LEAVE, or the group's
 * close) it keeps that confinement: wsched restores the CPUs it had
 * before joining only where nothing narrowed them since. (Before, leaving
 * restored the group-era mask: a way around the cpuset.)
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "ktap.h"
#include "wutil.h"

#define CG "/sys/fs/cgroup"
#define SUB CG "/wsched-cpuset-test"

static bool put(const char *path, const char *what)
{
	int fd = open(path, O_WRONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, what, strlen(what)) == (ssize_t)strlen(what);
	close(fd);
	return ok;
}

/* A cgroup-v2 hierarchy with the cpuset controller, mounted if need be. */
static bool cpuset_ready(void)
{
	char buf[256] = "";
	int fd;

	if (access(CG "/cgroup.controllers", F_OK))
		mount("none", CG, "cgroup2", 0, NULL);
	fd = open(CG "/cgroup.controllers", O_RDONLY);
	if (fd < 0)
		return false;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	close(fd);
	if (!strstr(buf, "cpuset"))
		return false;
	put(CG "/cgroup.subtree_control", "+cpuset");
	rmdir(SUB);
	return !mkdir(SUB, 0755) || errno == EEXIST;
}

/* The CPUs the kernel lets @pid run on. */
static bool allowed(pid_t pid, cpu_set_t *set)
{
	return pinned_cpus(pid, set);
}

static const char *list(const cpu_set_t *set, char *buf, size_t len)
{
	size_t n = 0;
	int c;

	buf[0] = '\0';
	for (c = 0; c < CPU_SETSIZE && n + 8 < len; c++)
		if (CPU_ISSET(c, set))
			n += snprintf(buf + n, len - n, "%s%d", n ? "," : "", c);
	return buf;
}

struct member {
	pid_t pid;
	int pipe[2];
	int home;
};

/*
 * A member process (joined through the inherited descriptor, which it
 * then closes so the group's life stays the test's) asleep in read().
 */
static void start_member(int gfd, struct member *m)
{
	int ready[2];
	char c;

	if (pipe(m->pipe) || pipe(ready))
		die_errno("pipe");
	m->pid = fork();
	if (m->pid < 0)
		die_errno("fork");
	if (!m->pid) {
		int home = -1;

		if (wsched_join(gfd, 0, &home))
			_exit(2);
		close(gfd);
		(void)!write(ready[1], &home, sizeof(home));
		(void)!read(m->pipe[0], &c, 1);
		_exit(0);
	}
	if (read(ready[0], &m->home, sizeof(m->home)) != sizeof(m->home))
		die("member %d did not join", m->pid);
	close(ready[0]);
	close(ready[1]);
	/* Asleep in read() before anyone touches it. */
	sleep_ms(300);
}

static void end_member(struct member *m)
{
	char pid[32];

	snprintf(pid, sizeof(pid), "%d", m->pid);
	put(CG "/cgroup.procs", pid);
	kill(m->pid, SIGKILL);
	waitpid(m->pid, NULL, 0);
	close(m->pipe[0]);
	close(m->pipe[1]);
}

/* Confine @m to the cpuset @cpus; true when the kernel took it. */
static bool confine(struct member *m, int cpu)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", cpu);
	if (!put(SUB "/cpuset.cpus", buf))
		return false;
	snprintf(buf, sizeof(buf), "%d", m->pid);
	return put(SUB "/cgroup.procs", buf);
}

/* A group on CPUs 1-3 and @m, a member of it asleep in read(). */
static int group_with_member(struct member *m)
{
	struct wsched_params p;
	int gfd;

	wsched_params_default(&p);
	gfd = group_open("1-3", &p);
	if (gfd < 0)
		die("group: %s", strerror(-gfd));
	start_member(gfd, m);
	return gfd;
}

/*
 * @how: 0 LEAVE, 1 the group's close. @other: the cpuset's CPU is not
 * the member's home (the move shows in its mask) or is (it does not).
 */
static void cpuset_case(int how, bool other)
{
	struct member m;
	int gfd = group_with_member(&m), cpu;
	cpu_set_t got;
	char buf[64];
	bool ok;

	cpu = other ? (m.home == 3 ? 2 : 3) : m.home;
	ok = confine(&m, cpu);
	sleep_ms(50);
	if (how == 0)
		ok = ok && !wsched_leave(gfd, m.pid);
	close(gfd);
	sleep_ms(50);
	ok = ok && allowed(m.pid, &got) && CPU_COUNT(&got) == 1 &&
	     CPU_ISSET(cpu, &got);
	ktap_ok(ok, "asleep, moved into a cpuset of CPU %d (%s), then %s: it keeps CPU %d (allowed: %s)",
		cpu, other ? "not its home" : "its home", how ? "the group closes" : "LEAVE",
		cpu, list(&got, buf, sizeof(buf)));
	end_member(&m);
}

/* The user narrows a sleeping member's CPUs; leaving keeps that choice. */
static void affinity_case(void)
{
	struct member m;
	int gfd = group_with_member(&m);
	cpu_set_t want, got;
	char buf[64];
	bool ok;

	CPU_ZERO(&want);
	CPU_SET(2, &want);
	CPU_SET(3, &want);
	ok = !sched_setaffinity(m.pid, sizeof(want), &want);
	sleep_ms(50);
	ok = ok && !wsched_leave(gfd, m.pid) && allowed(m.pid, &got) &&
	     CPU_EQUAL(&got, &want);
	ktap_ok(ok, "asleep, given CPUs 2-3 by sched_setaffinity(), then LEAVE: it keeps 2-3 (allowed: %s)",
		list(&got, buf, sizeof(buf)));
	close(gfd);
	end_member(&m);
}

int main(void)
{
	wutil_init();
	if (!cpuset_ready())
		ktap_skip_all("no cgroup-v2 cpuset controller here");
	ktap_plan(5);
	set_cpus(0, "1-3");
	cpuset_case(0, true);
	cpuset_case(0, false);
	cpuset_case(1, true);
	cpuset_case(1, false);
	affinity_case();
	put(SUB "/cpuset.cpus", "");
	rmdir(SUB);
	return ktap_finish();
}
