// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle_test: membership is inherited by threads and processes;
 * SIGKILL of a running, queued or blocked member leaves nothing stuck;
 * SIGSTOP/SIGCONT and ptrace of a member work; killing wsched-run's whole
 * tree frees the group; rmmod is refused while a group exists and the
 * allocation counters return to zero.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmod.h"
#include "ktap.h"
#include "wutil.h"

static int gfd;

/* A process that joins the group on CPU 1 and spins (or blocks on @rfd). */
static pid_t member(int rfd)
{
	pid_t pid = fork();
	char c;

	if (pid)
		return pid;
	set_cpus(0, "1");
	if (wsched_join(gfd, 0, NULL))
		_exit(3);
	if (rfd >= 0)
		while (read(rfd, &c, 1) != 0)
			;
	for (;;)
		;
}

static unsigned int members_now(void)
{
	struct wsched_group_stats st;
	unsigned int n;

	if (wsched_stats_read(gfd, &st))
		return ~0u;
	n = st.g.nr_threads;
	wsched_stats_free(&st);
	return n;
}

static uint64_t runtime_of(pid_t tid)
{
	struct wsched_group_stats st;
	uint64_t rt = 0;
	unsigned int i;

	if (wsched_stats_read(gfd, &st))
		return 0;
	for (i = 0; i < st.nr_threads; i++)
		if (st.threads[i].tid == tid)
			rt = st.threads[i].runtime_ns;
	wsched_stats_free(&st);
	return rt;
}

static bool reaped(pid_t pid)
{
	int st;

	return waitpid(pid, &st, 0) == pid;
}

static void *child_thread(void *arg)
{
	(void)arg;
	sleep_ms(400);
	return NULL;
}

static void inheritance(void)
{
	pid_t pid = fork();
	int st;

	if (!pid) {
		pthread_t t[2];
		pid_t grand;

		set_cpus(0, "1-2");
		if (wsched_join(gfd, 0, NULL))
			_exit(3);
		pthread_create(&t[0], NULL, child_thread, NULL);
		pthread_create(&t[1], NULL, child_thread, NULL);
		grand = fork();
		if (!grand) {
			sleep_ms(400);
			_exit(0);
		}
		sleep_ms(500);
		pthread_join(t[0], NULL);
		pthread_join(t[1], NULL);
		waitpid(grand, NULL, 0);
		_exit(0);
	}
	sleep_ms(200);
	ktap_ok(members_now() == 4,
		"a member's 2 threads and child process inherit membership (%u members)",
		members_now());
	waitpid(pid, &st, 0);
	ktap_ok(WIFEXITED(st) && !WEXITSTATUS(st) && members_now() == 0,
		"when they exit the group is empty again");
}

static void kills(void)
{
	int pfd[2];
	pid_t run, queued, blocked, late;

	if (pipe(pfd))
		return;
	blocked = member(pfd[0]);
	run = member(-1);
	queued = member(-1);
	sleep_ms(300);
	ktap_ok(members_now() == 3, "three members: running, queued, blocked");
	kill(blocked, SIGKILL);
	kill(run, SIGKILL);
	ktap_ok(reaped(blocked) && reaped(run), "SIGKILL of the blocked and the running member");
	sleep_ms(50);
	kill(queued, SIGSTOP);
	sleep_ms(50);
	kill(queued, SIGKILL);
	ktap_ok(reaped(queued), "SIGKILL of a stopped member");
	close(pfd[1]);
	close(pfd[0]);
	ktap_ok(members_now() == 0 && wsched_counter("members") == 0,
		"no member is left");
	late = member(-1);
	sleep_ms(100);
	ktap_ok(runtime_of(late) > 0, "the group still runs a new member");
	kill(late, SIGKILL);
	reaped(late);
}

static void stop_and_trace(void)
{
	pid_t a = member(-1), b = member(-1);
	uint64_t b0, b1, a0, a1;
	int st;

	sleep_ms(200);
	kill(a, SIGSTOP);
	waitpid(a, &st, WUNTRACED);
	b0 = runtime_of(b);
	sleep_ms(300);
	b1 = runtime_of(b);
	ktap_ok(b1 - b0 > 200000000ull,
		"with its peer stopped a member gets the CPU (%.0f ms of 300)",
		(b1 - b0) / 1e6);
	kill(a, SIGCONT);
	sleep_ms(200);
	a0 = runtime_of(a);
	sleep_ms(300);
	a1 = runtime_of(a);
	ktap_ok(a1 - a0 > 50000000ull, "after SIGCONT it runs again (%.0f ms)",
		(a1 - a0) / 1e6);

	ktap_ok(ptrace(PTRACE_ATTACH, a, NULL, NULL) == 0 &&
		waitpid(a, &st, __WALL) == a && WIFSTOPPED(st),
		"ptrace attaches to a member and stops it");
	b0 = runtime_of(b);
	sleep_ms(200);
	b1 = runtime_of(b);
	ktap_ok(ptrace(PTRACE_DETACH, a, NULL, NULL) == 0 && b1 - b0 > 120000000ull,
		"while traced its peer runs; detach works");
	sleep_ms(200);
	a0 = runtime_of(a);
	sleep_ms(300);
	a1 = runtime_of(a);
	ktap_ok(a1 - a0 > 50000000ull, "after detach it runs again");
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	reaped(a);
	reaped(b);
}

static void tree_kill(void)
{
	pid_t pid = fork();
	int st, i;

	if (!pid) {
		setpgid(0, 0);
		execl("/smpkit/bin/wsched-run", "wsched-run", "--cpus", "3", "--",
		      "sh", "-c", "while :; do :; done & while :; do :; done & wait",
		      (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	/* Up to 10 s: exec and two forks take a while on a debug kernel. */
	for (i = 0; i < 200 && !(wsched_counter("groups") == 2 &&
				 wsched_counter("members") >= 3); i++)
		sleep_ms(50);
	ktap_ok(wsched_counter("groups") == 2 && wsched_counter("members") >= 3,
		"wsched-run's program and its children are members");
	kill(-pid, SIGKILL);
	waitpid(pid, &st, 0);
	for (i = 0; i < 100 && wsched_counter("members"); i++)
		sleep_ms(20);
	ktap_ok(wsched_counter("groups") == 1 && wsched_counter("members") == 0,
		"killing the whole tree frees its group");
}

int main(void)
{
	struct wsched_params p;
	int ret;

	wutil_init();
	ktap_plan(2 + 5 + 5 + 2 + 3);
	wsched_params_default(&p);
	p.slice_us = 10000;
	gfd = group_open("1-2", &p);
	if (gfd < 0) {
		printf("Bail out! group: %s\n", strerror(-gfd));
		return KTAP_FAIL;
	}
	inheritance();
	kills();
	stop_and_trace();
	tree_kill();

	ret = kmod_unload("wsched");
	ktap_ok(ret == -EWOULDBLOCK || ret == -EBUSY,
		"rmmod while a group exists is refused (%s)", strerror(-ret));
	close(gfd);
	sleep_ms(50);
	ktap_ok(wsched_counter("groups") == 0 && wsched_counter("members") == 0 &&
		wsched_counter("pending_gates") == 0,
		"counters return to zero when the group closes");
	ret = kmod_unload("wsched");
	ktap_ok(ret == 0, "rmmod then succeeds (%s)", strerror(-ret));
	return ktap_finish();
}
