// SPDX-License-Identifier: GPL-2.0
/*
 * smpkit-cbuild: a fork-and-exec-heavy process tree for the benchmark, a
 * parallel build of a small generated C project (cbuild_gen.c) with make
 * and tcc, run as an unmodified program. It times make from fork to exit,
 * then runs what was built and checks its output against the generator's,
 * and prints "Total time: S s" only for a build that checked out: a
 * compiler that fails or miscompiles is an exit status of 1, never a time.
 * Exit 4: no compiler or make here (the benchmark then skips it).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "cbuild.h"

#define EXIT_MISSING	4

static char dir[PATH_MAX / 2];
static bool keep;

static void usage(FILE *f)
{
	fprintf(f,
"usage: smpkit-cbuild [options]\n"
"Generate a small C project, build it with make -jJOBS and tcc, run the\n"
"result and check it; prints \"Total time: S s\" (make, fork to exit).\n"
"  --files N   source files besides main.c (default 16)\n"
"  --funcs N   functions per file (default 8)\n"
"  --ops N     statements per function (default 96)\n"
"  --jobs N    make's -j (default 4)\n"
"  --keep      leave the project in its folder and print the folder\n"
"  -h, --help  this text\n"
"The compiler: $SMPKIT_CBUILD_CC, else /extra/tcc, else tcc on PATH; make:\n"
"$SMPKIT_CBUILD_MAKE, else /extra/make, else make on PATH. Exit 0: built\n"
"and checked; 1: the build failed or its program printed the wrong value;\n"
"4: no compiler or make.\n");
}

static void find_tool(const char *env, const char *name, char *out, size_t len)
{
	const char *want = getenv(env);
	char extra[64];

	if (want && *want) {
		if (find_exe(want, out, len))
			return;
		fprintf(stderr, "%s: %s=%s is not an executable\n", smpkit_prog,
			env, want);
		exit(EXIT_MISSING);
	}
	snprintf(extra, sizeof(extra), "/extra/%s", name);
	if (find_exe(extra, out, len) || find_exe(name, out, len))
		return;
	fprintf(stderr, "%s: no %s in /extra or on PATH (scripts/deps installs it)\n",
		smpkit_prog, name);
	exit(EXIT_MISSING);
}

/* The folder holds only what cbuild_generate() and make put there. */
static void remove_dir(void)
{
	struct dirent *de;
	DIR *d;

	if (!*dir || keep)
		return;
	d = opendir(dir);
	if (d) {
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	if (rmdir(dir))
		fprintf(stderr, "%s: cannot remove %s: %s\n", smpkit_prog, dir,
			strerror(errno));
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int wait_for(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid");
	return status;
}

/* make's exit status; its output goes where ours does. */
static int build(const char *make, const char *cc, unsigned int jobs)
{
	char j[16], ccvar[PATH_MAX + 8];
	char *argv[] = { (char *)make, "-r", "-s", j, "-C", dir, ccvar, NULL };
	pid_t pid;

	snprintf(j, sizeof(j), "-j%u", jobs);
	snprintf(ccvar, sizeof(ccvar), "CC=%s", cc);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (!pid) {
		/* A make above us (make check) must not lend its jobserver. */
		unsetenv("MAKEFLAGS");
		unsetenv("MFLAGS");
		unsetenv("MAKELEVEL");
		execv(make, argv);
		fprintf(stderr, "%s: cannot run %s: %s\n", smpkit_prog, make,
			strerror(errno));
		_exit(127);
	}
	return wait_for(pid);
}

/* Runs the built program; false (with a message) unless it printed @want. */
static bool check(const char *want)
{
	char prog[PATH_MAX], got[64];
	size_t used = 0;
	ssize_t n;
	int fd[2], status;
	pid_t pid;

	snprintf(prog, sizeof(prog), "%s/prog", dir);
	if (pipe(fd))
		die_errno("pipe");
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (!pid) {
		dup2(fd[1], 1);
		execl(prog, prog, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	/* A line is all it may print; more is cut, and fails the compare. */
	while (used < sizeof(got) - 1) {
		n = read(fd[0], got + used, sizeof(got) - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += n;
	}
	got[used] = 0;
	close(fd[0]);
	status = wait_for(pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "%s: the built program failed (status 0x%x)\n",
			smpkit_prog, status);
		return false;
	}
	if (strcmp(got, want)) {
		fprintf(stderr, "%s: the built program printed '%.*s', not %.16s: a wrong build\n",
			smpkit_prog, (int)strcspn(got, "\n"), got, want);
		return false;
	}
	return true;
}

static unsigned int number(const char *opt, const char *arg, unsigned int max)
{
	uint64_t v;

	if (!parse_u64(arg, 1, max, &v))
		die("--%s: '%s' is not 1..%u", opt, arg, max);
	return (unsigned int)v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "files", required_argument, NULL, 'f' },
		{ "funcs", required_argument, NULL, 'F' },
		{ "ops", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "keep", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct cbuild_shape s = { .files = 16, .funcs = 8, .ops = 96 };
	char cc[PATH_MAX], make[PATH_MAX], want[20];
	const char *tmp = getenv("TMPDIR");
	unsigned int jobs = 4;
	unsigned long lines;
	double t0, sec;
	int o, status;

	smpkit_prog = "smpkit-cbuild";
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'f':
			s.files = number("files", optarg, 999);
			break;
		case 'F':
			s.funcs = number("funcs", optarg, 64);
			break;
		case 'o':
			s.ops = number("ops", optarg, 256);
			break;
		case 'j':
			jobs = number("jobs", optarg, 256);
			break;
		case 'k':
			keep = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
#ifndef __x86_64__
	fprintf(stderr, "%s: the project's start code is x86_64 only\n", smpkit_prog);
	return EXIT_MISSING;
#endif
	find_tool("SMPKIT_CBUILD_CC", "tcc", cc, sizeof(cc));
	find_tool("SMPKIT_CBUILD_MAKE", "make", make, sizeof(make));
	if (snprintf(dir, sizeof(dir), "%s/smpkit-cbuild.XXXXXX",
		     tmp && *tmp ? tmp : "/tmp") >= (int)sizeof(dir))
		die("TMPDIR is too long");
	if (!mkdtemp(dir)) {
		*dir = 0;
		die_errno("mkdtemp");
	}
	atexit(remove_dir);
	snprintf(want, sizeof(want), "%016" PRIx64 "\n",
		 cbuild_generate(dir, &s, &lines));
	printf("%s: %u files of %u functions (%lu lines of C), make -j%u, CC=%s\n",
	       smpkit_prog, s.files, s.funcs, lines, jobs, cc);
	t0 = now_s();
	status = build(make, cc, jobs);
	sec = now_s() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "%s: the build failed: make exited with status 0x%x\n",
			smpkit_prog, status);
		return 1;
	}
	if (!check(want))
		return 1;
	if (keep)
		printf("%s: the project is in %s\n", smpkit_prog, dir);
	printf("%s: the program printed %.16s, as the generator computed\n",
	       smpkit_prog, want);
	printf("Total time: %.6f s\n", sec);
	return 0;
}
