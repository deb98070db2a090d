// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test: every wsched ioctl answers thousands of random and boundary
 * inputs, from root and from nobody at once, with the errno the uapi
 * header documents, while another process uses a group legitimately; at
 * the end nothing is leaked, stuck or released. Replay a failure with the
 * printed "--seed S --cases N". The model of the ABI is in fuzz_cases.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libwsched.h>
#include <smpkit/util.h>

#include "fuzz.h"
#include "kmod.h"
#include "ktap.h"

#define LEGIT_THREADS 3

/* Shared with the forked processes through an anonymous shared mapping. */
struct shared {
	struct fuzz_report nobody;
	atomic_int stop, legit_ready;
	atomic_long legit_rounds, legit_errors;
	int legit_first_err, legit_first_op;
};
static struct shared *sh;

static void *legit_thread(void *arg)
{
	int fd = *(int *)arg, ret, op, cpu;
	struct wsched_group_stats st;
	volatile unsigned long x = 0;
	unsigned long j;

	while (!atomic_load(&sh->stop)) {
		op = 0;
		ret = wsched_join(fd, 0, &cpu);
		if (!ret && (cpu < 2 || cpu > 3))
			ret = -EDOM;
		for (j = 0; !ret && j < 20000; j++)
			x += j;
		if (!ret) {
			op = 1;
			usleep(300);		/* a blocking hand-off */
			ret = wsched_stats_read(fd, &st);
			if (!ret) {
				if (st.g.joined < st.g.left || st.g.nr_cpus != 2 ||
				    st.g.flags)
					ret = -ERANGE;
				wsched_stats_free(&st);
			}
		}
		if (!ret) {
			op = 2;
			ret = wsched_leave(fd, 0);
		}
		if (ret) {
			if (!atomic_fetch_add(&sh->legit_errors, 1)) {
				sh->legit_first_err = -ret;
				sh->legit_first_op = op;
			}
			wsched_leave(fd, 0);
		}
		atomic_fetch_add(&sh->legit_rounds, 1);
	}
	return NULL;
}

/* A root process using its own group on CPUs 2-3 the way a program would. */
static void legit_main(void)
{
	struct wsched_params p;
	pthread_t th[LEGIT_THREADS];
	cpu_set_t set;
	int fd, i;

	wsched_params_default(&p);
	p.slice_us = 2000;
	p.steal = WSCHED_STEAL_RANDOM;
	p.watchdog_ms = 20000;
	CPU_ZERO(&set);
	CPU_SET(2, &set);
	CPU_SET(3, &set);
	fd = wsched_open();
	if (fd < 0 || wsched_create(fd, &set, &p, NULL)) {
		sh->legit_first_err = fd < 0 ? -fd : EBADE;
		atomic_fetch_add(&sh->legit_errors, 1);
		_exit(1);
	}
	/* The fuzzer's model counts CPUs 2-3 as busy from now on. */
	atomic_store(&sh->legit_ready, 1);
	for (i = 0; i < LEGIT_THREADS; i++)
		pthread_create(&th[i], NULL, legit_thread, &fd);
	for (i = 0; i < LEGIT_THREADS; i++)
		pthread_join(th[i], NULL);
	close(fd);
	_exit(0);
}

static int helper_pipe[2];

static void *helper_main(void *arg)
{
	char c;

	*(pid_t *)arg = gettid_();
	/* Blocked here for the whole run: joined and left by tid. */
	while (read(helper_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void start_helpers(struct fuzz_ctx *c, pthread_t *th)
{
	int i;

	if (pipe(helper_pipe))
		die_errno("pipe");
	for (i = 0; i < NR_HELPERS; i++) {
		c->helper[i] = 0;
		pthread_create(&th[i], NULL, helper_main, &c->helper[i]);
	}
	for (i = 0; i < NR_HELPERS; i++)
		while (!__atomic_load_n(&c->helper[i], __ATOMIC_ACQUIRE))
			msleep(1);
}

static void stop_helpers(pthread_t *th)
{
	int i;

	close(helper_pipe[1]);
	for (i = 0; i < NR_HELPERS; i++)
		pthread_join(th[i], NULL);
	close(helper_pipe[0]);
}

/* Tids that name nothing any more, and one zombie, made before any join. */
static void make_dead(struct fuzz_ctx *c)
{
	pid_t p;

	for (c->nr_dead = 0; c->nr_dead < MAX_DEAD; c->nr_dead++) {
		p = fork();
		if (!p)
			_exit(0);
		waitpid(p, NULL, 0);
		c->dead[c->nr_dead] = p;
	}
	c->zombie = fork();
	if (!c->zombie)
		_exit(0);
	/*
	 * Until it has exited it is a live thread that JOIN may take (seen
	 * under TCG: the first cases ran before the child's _exit). Wait for
	 * the exit without reaping: a zombie from here on.
	 */
	waitid(P_PID, c->zombie, &(siginfo_t){ 0 }, WEXITED | WNOWAIT);
}

static void run_cases(struct fuzz_ctx *c, long stream)
{
	long i;

	rng_seed(&c->rng, c->seed, stream);
	fuzz_arena_init(c);
	for (i = 0; i < c->cases; i++)
		fuzz_case(c, i);
	fuzz_leave_all(c);
}

static void nobody_main(struct fuzz_ctx *c)
{
	pthread_t th[NR_HELPERS];
	int i;

	drop_privs();
	/* Root's main thread: another user's, and nobody may not touch it. */
	c->foreign = getppid();
	c->who = "nobody";
	c->priv = false;
	c->printed = 0;
	make_dead(c);
	start_helpers(c, th);
	run_cases(c, 2);
	for (i = 0; i < OP_NR; i++) {
		sh->nobody.run[i] = c->run[i];
		sh->nobody.bad[i] = c->bad[i];
	}
	sh->nobody.done = 1;
	stop_helpers(th);
	waitpid(c->zombie, NULL, 0);
	_exit(0);
}

static void report(const char *who, const long *run, const long *bad)
{
	int i;

	for (i = 0; i < OP_NR; i++)
		ktap_ok(run[i] > 0 && !bad[i], "%s: %s: %ld cases, %ld against the ABI",
			who, fuzz_op_name[i], run[i], bad[i]);
}

int main(int argc, char **argv)
{
	struct stress_opts o = { .cases = 2000 };
	struct wsched_group_args a = {
		.size = sizeof(a), .slice_us = 5000, .watchdog_ms = 20000,
		.cpus = { 1 },
	};
	struct fuzz_ctx c = { .who = "root", .priv = true };
	struct wsched_group_stats st;
	pid_t legit, nobody, foreign;
	pthread_t th[NR_HELPERS];
	int fpipe[2], status, ret;
	char why[96] = "";

	stress_parse(argc, argv, &o);
	c.seed = o.seed;
	c.cases = o.cases;
	c.nr_cpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (getuid() != 0)
		ktap_skip_all("needs root (runs in the VM rig)");
	if (c.nr_cpus < 4 || sysconf(_SC_NPROCESSORS_ONLN) != c.nr_cpus)
		ktap_skip_all("needs 4 or more CPUs, all online");
	kmod_need_wsched();
	ktap_plan(2 * OP_NR + 5);
	ktap_diag("seed %#llx, %ld cases per user (replay: fuzz_test --seed %#llx --cases %ld)",
		  (unsigned long long)c.seed, c.cases,
		  (unsigned long long)c.seed, c.cases);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die_errno("mmap");

	/* Another user's thread, forked before any descriptor exists. */
	if (pipe(fpipe))
		die_errno("pipe");
	foreign = fork();
	if (!foreign) {
		char ch;

		drop_privs();
		close(fpipe[1]);
		while (read(fpipe[0], &ch, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(fpipe[0]);
	c.foreign = foreign;
	make_dead(&c);

	c.gfd = open(WSCHED_DEVICE, O_RDWR);
	c.nfd = open(WSCHED_DEVICE, O_RDWR);
	if (c.gfd < 0 || c.nfd < 0 || ioctl(c.gfd, WSCHED_IOC_CREATE, &a))
		die_errno("the fuzzer's own group on CPU 0");
	c.gid = a.group_id;
	c.busy_cpus = 1 << 0 | 1 << 2 | 1 << 3;

	legit = fork();
	if (!legit) {
		close(c.gfd);
		close(c.nfd);
		legit_main();
	}
	for (ret = 0; !atomic_load(&sh->legit_ready) && ret < 10000; ret++) {
		if (waitpid(legit, &status, WNOHANG) == legit)
			die("the legitimate user could not create its group");
		msleep(1);
	}
	/* The nobody child keeps gfd: it may join its own threads to it. */
	nobody = fork();
	if (!nobody)
		nobody_main(&c);

	start_helpers(&c, th);
	run_cases(&c, 1);
	report("root", c.run, c.bad);
	ret = wait_timeout(nobody, &status, 600000);
	if (ret)
		kill(nobody, SIGKILL);
	ktap_diag("nobody child: %s", ret ? "timed out" :
		  WIFEXITED(status) ? "exited" : "killed by a signal");
	report("nobody", sh->nobody.run, sh->nobody.bad);

	atomic_store(&sh->stop, 1);
	ret = wait_timeout(legit, &status, 60000);
	ktap_ok(!ret && WIFEXITED(status) && !WEXITSTATUS(status) &&
		atomic_load(&sh->legit_rounds) > 0 && !atomic_load(&sh->legit_errors),
		"legitimate use alongside: %ld rounds, %ld errors (first: op %d, %s)",
		atomic_load(&sh->legit_rounds), atomic_load(&sh->legit_errors),
		sh->legit_first_op, strerror(sh->legit_first_err));

	ret = wsched_stats_read(c.gfd, &st);
	ktap_ok(!ret && !st.g.flags && st.g.nr_threads == 0 &&
		st.g.joined == st.g.left,
		"fuzzed group: not released, empty, joined %llu = left %llu (%s)",
		ret ? 0ull : (unsigned long long)st.g.joined,
		ret ? 0ull : (unsigned long long)st.g.left, strerror(-ret));
	if (!ret)
		wsched_stats_free(&st);
	close(c.gfd);
	close(c.nfd);
	stop_helpers(th);
	close(fpipe[1]);
	waitpid(foreign, NULL, 0);
	waitpid(c.zombie, NULL, 0);

	ktap_ok(counters_zero(10000, why, sizeof(why)),
		"counters back to zero once every descriptor closed%s%s",
		why[0] ? ": " : "", why[0] ? why : "");
	ktap_ok(!stuck_threads(3), "no thread stuck in D state");
	ret = kmod_unload("wsched");
	ktap_ok(!ret, "rmmod after the fuzz (%s)", strerror(-ret));
	if (ktap.failed)
		ktap_diag("replay: fuzz_test --seed %#llx --cases %ld",
			  (unsigned long long)c.seed, c.cases);
	return ktap_finish();
}
