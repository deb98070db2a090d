// SPDX-License-Identifier: GPL-2.0
/*
 * Unmodified programs, run plainly and under wsched-run: messaging
 * benchmarks (perf bench sched messaging, rt-tests' hackbench), a CPU mix
 * (smpkit-cpumix), stress-ng stressors, each a fixed number of bogo
 * operations (not a time limit) so that the time says how fast it went,
 * and a parallel build (smpkit-cbuild: make -j4 of a small C project with
 * tcc), a process tree that forks and execs a compiler per file.
 * Times come from the program's own report when it prints one, else from
 * fork to exit; counters are inherited by every process and thread the
 * program creates.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "lib/bench.h"

struct prog {
	const char *name;
	const char *const *cands;	/* executables tried in order */
	const char *const *args;
	const char *time_key;		/* "<key> <seconds>"; NULL: the wall */
	const char *const *needs;	/* other tools, in /extra or on PATH */
};

/*
 * 4 instances of one stressor, @ops bogo operations each (~2 s in TCG);
 * the 60 s limit only guards the suite against a stressor that does not
 * stop at its count. Left out: sem and yield (stress-ng 0.15's run past
 * their counts in the guest, to the time limit) and exec (it refuses to
 * run as root, and wsched-run needs CAP_SYS_NICE up to the exec).
 */
#define STRESS(stressor, ops) \
	{ "ng-" stressor, (const char *const[]){ "/extra/stress-ng", "stress-ng", NULL }, \
	  (const char *const[]){ "--" stressor, "4", "--" stressor "-ops", ops, \
				 "--timeout", "60", "--temp-path", "/tmp", "-q", \
				 NULL }, NULL, NULL }

static const struct prog progs[] = {
	{ "messaging", (const char *const[]){ "/extra/perf", "perf", NULL },
	  (const char *const[]){ "bench", "sched", "messaging", "-p", "-g", "2",
				 "-l", "60", NULL }, "Total time:", NULL },
	{ "pipe", (const char *const[]){ "/extra/perf", "perf", NULL },
	  (const char *const[]){ "bench", "sched", "pipe", "-l", "1000", NULL },
	  "Total time:", NULL },
	{ "hackbench", (const char *const[]){ "/extra/hackbench", "hackbench", NULL },
	  (const char *const[]){ "-p", "-g", "2", "-l", "60", NULL }, "Time:", NULL },
	{ "cpumix", (const char *const[]){ "@smpkit-cpumix", NULL },
	  (const char *const[]){ "--procs", "3", "--threads", "2", NULL },
	  "Total time:", NULL },
	STRESS("cpu", "400"),
	STRESS("switch", "30000"),
	STRESS("futex", "10000"),
	STRESS("fork", "600"),
	STRESS("pthread", "800"),
	STRESS("clone", "30"),
	STRESS("vfork", "1000"),
	STRESS("affinity", "4000"),
	/* smpkit-cbuild runs make, which runs tcc once per file. */
	{ "cbuild", (const char *const[]){ "@smpkit-cbuild", NULL },
	  (const char *const[]){ "--jobs", "4", NULL }, "Total time:",
	  (const char *const[]){ "tcc", "make", NULL } },
};

static char self_dir[PATH_MAX / 2];
const char *bench_programs;

/* An absolute path, a name on PATH, or @name beside smpkit-bench. */
static bool find(const char *cand, char *out, size_t len)
{
	if (cand[0] == '@')
		return snprintf(out, len, "%s/%s", self_dir, cand + 1) < (int)len &&
		       !access(out, X_OK);
	return find_exe(cand, out, len);
}

void bench_programs_check(const char *list)
{
	char names[512] = "", item[64];
	const char *p, *e;
	size_t i, len = 0;
	bool known;

	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		len += snprintf(names + len, sizeof(names) - len, "%s%s",
				i ? "," : "", progs[i].name);
	for (p = list; ; p = e + 1) {
		e = strchrnul(p, ',');
		snprintf(item, sizeof(item), "%.*s", (int)(e - p), p);
		known = false;
		for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
			known |= !strcmp(item, progs[i].name);
		if (!known)
			die("--programs: '%s' is not one of %s", item, names);
		if (!*e)
			break;
	}
}

/* The first of @p's executables found, and every tool it needs. */
static bool present(const struct prog *p, char *exe, size_t len,
		    const char **lacks)
{
	char path[PATH_MAX], extra[64];
	int k;

	*lacks = p->name;
	for (k = 0; p->cands[k] && !find(p->cands[k], exe, len); k++)
		*lacks = p->cands[k] + (p->cands[k][0] == '@');
	if (!p->cands[k])
		return false;
	for (k = 0; p->needs && p->needs[k]; k++) {
		snprintf(extra, sizeof(extra), "/extra/%s", p->needs[k]);
		*lacks = p->needs[k];
		if (!find(extra, path, sizeof(path)) &&
		    !find(p->needs[k], path, sizeof(path)))
			return false;
	}
	return true;
}

/* Runs @argv, its output captured; returns seconds (own report or wall). */
static double launch(char *const *argv, const char *key, uint64_t *csw,
		     uint64_t *mig, int *status)
{
	struct bench_counters ctr;
	int go[2], out[2];
	char buf[8192], scratch[4096], *hit;
	size_t used = 0;
	ssize_t n;
	uint64_t t0;
	double sec;
	pid_t pid;

	if (pipe(go) || pipe(out))
		die_errno("pipe");
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (!pid) {
		/* Wait until the parent has its counters on us, then exec. */
		close(go[1]);
		if (read(go[0], buf, 1) != 1)
			_exit(127);
		dup2(out[1], 1);
		dup2(out[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(go[0]);
	close(out[1]);
	bench_counters_open(&ctr, pid, true);
	t0 = bench_now_ns();
	if (write(go[1], "g", 1) != 1)
		die_errno("write");
	close(go[1]);
	/* Drain it all (a full pipe would stall the program); keep the start. */
	for (;;) {
		char *dst = used < sizeof(buf) - 1 ? buf + used : scratch;
		size_t room = used < sizeof(buf) - 1 ? sizeof(buf) - 1 - used :
			      sizeof(scratch);

		n = read(out[0], dst, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (dst == buf + used)
			used += n;
	}
	buf[used] = 0;
	close(out[0]);
	if (waitpid(pid, status, 0) != pid)
		die_errno("waitpid");
	sec = (bench_now_ns() - t0) / 1e9;
	bench_counters_read(&ctr, csw, mig);
	bench_counters_close(&ctr);
	hit = key ? strstr(buf, key) : NULL;
	if (hit)
		sscanf(hit + strlen(key), "%lf", &sec);
	return sec;
}

static int run(struct bench_ctx *c)
{
	char exe[PATH_MAX], wrun[PATH_MAX], metric[48];
	char *argv[32];
	const char *lacks;
	uint64_t csw, mig;
	int i, k, a, status, ran = 0;
	double sec;

	if (!*self_dir) {
		ssize_t n = readlink("/proc/self/exe", self_dir, sizeof(self_dir) - 1);

		if (n <= 0)
			die_errno("readlink /proc/self/exe");
		self_dir[n] = 0;
		*strrchr(self_dir, '/') = 0;
	}
	snprintf(wrun, sizeof(wrun), "%s/wsched-run", self_dir);
	for (i = 0; i < (int)(sizeof(progs) / sizeof(progs[0])); i++) {
		const struct prog *p = &progs[i];

		if (bench_programs && !bench_wanted(bench_programs, p->name))
			continue;
		if (!present(p, exe, sizeof(exe), &lacks)) {
			if (!c->rep && !c->v->wsched)
				bench_note(c, "%s: %s not found in this machine, skipped",
					   p->name, lacks);
			continue;
		}
		a = 0;
		if (c->v->wsched) {
			/* wsched-run's defaults are libwsched's: the variant's. */
			argv[a++] = wrun;
			argv[a++] = "--cpus";
			argv[a++] = "0-3";
			argv[a++] = "--";
		}
		argv[a++] = exe;
		for (k = 0; p->args[k] && a < 31; k++)
			argv[a++] = (char *)p->args[k];
		argv[a] = NULL;
		sec = launch(argv, p->time_key, &csw, &mig, &status);
		/* Each program is progress: the hang watchdog times one at a time. */
		bench_watchdog_pet();
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			bench_note(c, "%s exited with status 0x%x, not counted",
				   p->name, status);
			continue;
		}
		ran++;
		snprintf(metric, sizeof(metric), "%s_time", p->name);
		bench_record(c, metric, "s", LOWER, sec);
		snprintf(metric, sizeof(metric), "%s_ctx_switches", p->name);
		bench_record(c, metric, "count", INFO, csw);
		snprintf(metric, sizeof(metric), "%s_migrations", p->name);
		bench_record(c, metric, "count", INFO, mig);
	}
	return ran ? 0 : -1;
}

const struct bench_workload wl_programs = {
	.name = "programs",
	.title = "Unmodified programs under wsched-run",
	.what = "Programs that know nothing of wsched, plainly and under wsched-run --cpus 0-3 (topology stealing, fair balance): perf bench sched messaging -p -g 2 -l 60 (80 processes over pipes) and pipe -l 1000 (two processes ping-ponging) when perf is present, rt-tests' hackbench with the same arguments, smpkit-cpumix (3 processes x 2 threads of integer, floating-point and memory kernels), and stress-ng's cpu, switch, futex, fork, pthread, clone, vfork and affinity stressors (ng-*: 4 instances, a fixed number of bogo operations each, timed from start to exit), and cbuild: smpkit-cbuild's make -j4 of a generated C project (16 files of some 2,400 lines) with tcc, one fork and exec per file, timed from make's start to its exit and counted only when the program built prints what the generator computed. Time as the program reports it, else the wall; context switches and migrations over all its processes.",
	.variants = (const struct bench_variant *const[]){ &bench_cfs, &bench_wsched, NULL },
	.run = run,
};
