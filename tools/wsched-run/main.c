// SPDX-License-Identifier: GPL-2.0
/*
 * wsched-run: run an unmodified program with all its threads managed by
 * a wsched group. The group lives as long as this process holds its
 * descriptor; the child joins before exec, and every thread or process
 * it creates later inherits membership in the kernel. Exit statuses
 * follow timeout(1) and env(1), so that a caller can tell wsched-run's
 * own failures from CMD's.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libwsched.h>
#include <smpkit/util.h>

enum {
	EXIT_WSCHED_RUN = 125,		/* our own failure: options, module, ioctls */
	EXIT_CANNOT_INVOKE = 126,	/* CMD found, but exec failed */
	EXIT_ENOENT = 127,		/* CMD not found */
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: wsched-run [options] -- CMD [ARGS...]\n"
"Run CMD with all its threads (and those it creates later) in a wsched group.\n"
"  --cpus LIST      group CPUs, kernel cpulist format (default: all allowed)\n"
"  --slice USEC     time slice, %d..%d (default 20000)\n"
"  --steal POLICY   none|random|busiest|topology (default topology)\n"
"  --balance POLICY none|fair (default fair)\n"
"  --balance-gap N  slices of CPU time a thread must be ahead of a waiter\n"
"                   elsewhere before fair balance swaps them, 1..%d\n"
"                   (default %d): larger, fewer migrations, looser shares\n"
"  --place POLICY   least|current|rr: home CPU of new threads (default least)\n"
"  --watchdog MS    release the group if a thread waits longer, %d..%d and\n"
"                   at least two slices (default: 100 slices, at least 1 s)\n"
"  --stats          print the group's statistics when CMD ends\n"
"  -h, --help       this text\n"
"Needs /dev/wsched (insmod wsched.ko) and CAP_SYS_NICE.\n"
"Exit status: CMD's own, or 128+N if signal N ended it; otherwise\n"
"  125  wsched-run failed (bad option, no module, the group could not be\n"
"       created or joined)\n"
"  126  CMD was found but could not be run\n"
"  127  CMD was not found\n",
		WSCHED_SLICE_MIN_US, WSCHED_SLICE_MAX_US,
		WSCHED_BALANCE_GAP_MAX, WSCHED_BALANCE_GAP_DEFAULT,
		WSCHED_WATCHDOG_MIN_MS, WSCHED_WATCHDOG_MAX_MS);
}

static int policy(const char *opt, const char *arg, int (*parse)(const char *))
{
	int v = parse(arg);

	if (v < 0)
		die("--%s: unknown policy '%s' (see --help)", opt, arg);
	return v;
}

/*
 * Whether the kernel refuses unsigned modules: then a missing /dev/wsched
 * most likely means an unsigned wsched.ko was refused, and insmod's
 * "Key was rejected by service" is easy to miss. Lockdown (Secure Boot)
 * refuses them without setting sig_enforce.
 */
static bool sig_enforced(void)
{
	char buf[128] = "";
	FILE *f;

	f = fopen("/sys/module/module/parameters/sig_enforce", "r");
	if (f) {
		if (fgets(buf, sizeof(buf), f) && buf[0] == 'Y') {
			fclose(f);
			return true;
		}
		fclose(f);
	}
	f = fopen("/sys/kernel/security/lockdown", "r");
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return !strstr(buf, "[none]") && strchr(buf, '[');
}

/* Wait up to @ms for @child to end: at once when it does (a pidfd). */
static void wait_child(int pidfd, int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

	if (pidfd < 0 || poll(&pfd, 1, ms) < 0)
		nanosleep(&ts, NULL);
}

/*
 * Say once, on stderr, that the group was given back to the stock
 * scheduler, and why: the program runs on, but no longer managed, and
 * without --stats nothing else would tell.
 */
static void say_if_released(const struct wsched_group_stats *s, bool *said)
{
	if (*said || !(s->g.flags & WSCHED_STATS_RELEASED))
		return;
	*said = true;
	if (s->g.watchdog_tid > 0)
		warnx_("group %u was released to the stock scheduler: thread %d waited for its CPU longer than the watchdog allows (the kernel log says what held it)",
		       s->g.group_id, s->g.watchdog_tid);
	else
		warnx_("group %u was released to the stock scheduler: its last online CPU went offline",
		       s->g.group_id);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "slice", required_argument, NULL, 's' },
		{ "steal", required_argument, NULL, 'S' },
		{ "balance", required_argument, NULL, 'b' },
		{ "balance-gap", required_argument, NULL, 'g' },
		{ "place", required_argument, NULL, 'p' },
		{ "watchdog", required_argument, NULL, 'w' },
		{ "stats", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct wsched_group_stats last = { 0 }, s;
	struct wsched_params p;
	bool stats = false;
	cpu_set_t cpus;
	int fd, o, ret, status, cpu, pidfd;
	bool released = false;
	char err[128];
	uint64_t v;
	pid_t child;

	smpkit_prog = "wsched-run";
	smpkit_die_status = EXIT_WSCHED_RUN;
	wsched_params_default(&p);
	if (sched_getaffinity(0, sizeof(cpus), &cpus))
		die_errno("sched_getaffinity");
	while ((o = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			if (parse_cpulist(optarg, &cpus, err, sizeof(err)))
				die("--cpus: %s", err);
			break;
		case 's':
			if (!parse_u64(optarg, WSCHED_SLICE_MIN_US,
				       WSCHED_SLICE_MAX_US, &v))
				die("--slice: '%s' is not %d..%d microseconds",
				    optarg, WSCHED_SLICE_MIN_US, WSCHED_SLICE_MAX_US);
			p.slice_us = v;
			break;
		case 'S':
			p.steal = policy("steal", optarg, wsched_steal_parse);
			break;
		case 'b':
			p.balance = policy("balance", optarg, wsched_balance_parse);
			break;
		case 'p':
			p.place = policy("place", optarg, wsched_place_parse);
			break;
		case 'g':
			if (!parse_u64(optarg, 1, WSCHED_BALANCE_GAP_MAX, &v))
				die("--balance-gap: '%s' is not 1..%d slices",
				    optarg, WSCHED_BALANCE_GAP_MAX);
			p.balance_gap = v;
			break;
		case 'w':
			if (!parse_u64(optarg, WSCHED_WATCHDOG_MIN_MS,
				       WSCHED_WATCHDOG_MAX_MS, &v))
				die("--watchdog: '%s' is not %d..%d ms", optarg,
				    WSCHED_WATCHDOG_MIN_MS, WSCHED_WATCHDOG_MAX_MS);
			p.watchdog_ms = v;
			break;
		case 't':
			stats = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_WSCHED_RUN;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		die("no command given (put it after --)");
	}
	/*
	 * The watchdog counts a queued thread's wait, and a whole slice of
	 * the holder is a normal wait: under two slices the group would be
	 * released at the first full one (the module refuses it too).
	 * Checked here, after both options are in.
	 */
	if (p.watchdog_ms && (uint64_t)p.watchdog_ms * 1000 < 2ull * p.slice_us)
		die("--watchdog %u ms is under two slices (%u us each): the group would be released at the first full slice",
		    p.watchdog_ms, p.slice_us);

	fd = wsched_open();
	if (fd == -ENOENT && sig_enforced())
		die("%s: no module: this kernel loads signed modules only (module.sig_enforce or lockdown): sign wsched.ko with a key it trusts (make sign, or DKMS's MOK)",
		    WSCHED_DEVICE);
	if (fd < 0) {
		errno = -fd;
		die_errno("%s (is wsched.ko loaded?)", WSCHED_DEVICE);
	}
	ret = wsched_create(fd, &cpus, &p, NULL);
	if (ret) {
		errno = -ret;
		die_errno("cannot create the group (EINVAL: a CPU offline or not allowed; EBUSY: a CPU in another group; EPERM: needs CAP_SYS_NICE)");
	}

	child = fork();
	if (child < 0)
		die_errno("fork");
	if (!child) {
		ret = wsched_join(fd, 0, &cpu);
		if (ret) {
			warnx_("join: %s", strerror(-ret));
			_exit(EXIT_WSCHED_RUN);
		}
		close(fd);
		execvp(argv[optind], argv + optind);
		/* As env(1) does: only "no such file" means not found. */
		ret = errno;
		warnx_("%s: %s", argv[optind], strerror(ret));
		_exit(ret == ENOENT ? EXIT_ENOENT : EXIT_CANNOT_INVOKE);
	}
	/* Like time(1): the terminal's signals are for the program. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	/* Polled, not waited on: the stats tell a release as it happens. */
	pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	for (;;) {
		ret = waitpid(child, &status, WNOHANG);
		if (ret == child)
			break;
		if (ret < 0 && errno != EINTR)
			die_errno("waitpid");
		if (!wsched_stats_read(fd, &s)) {
			say_if_released(&s, &released);
			/* Keep the last view that still had the threads in it. */
			if (stats && s.nr_threads) {
				wsched_stats_free(&last);
				last = s;
			} else {
				wsched_stats_free(&s);
			}
		}
		wait_child(pidfd, stats ? 100 : 250);
	}
	if (pidfd >= 0)
		close(pidfd);
	if (stats && !wsched_stats_read(fd, &s)) {
		if (!s.nr_threads && last.nr_threads) {
			fprintf(stderr, "(threads as of the last sample, <= 100 ms before the end)\n");
			free(s.threads);
			s.threads = last.threads;
			s.nr_threads = last.nr_threads;
			last.threads = NULL;
		}
		wsched_stats_print(stderr, &s);
		wsched_stats_free(&s);
	}
	wsched_stats_free(&last);
	close(fd);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
