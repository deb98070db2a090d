// SPDX-License-Identifier: GPL-2.0
/*
 * smpkit-bench: runs the workloads under the stock scheduler and under
 * wsched, alternating in the same boot, and prints machine-readable
 * results (@meta, @sample, @summary, @series lines) for scripts/report.
 * Progress goes to stderr. Needs wsched.ko loaded and root (CAP_SYS_NICE).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <smpkit/util.h>

#include "lib/bench.h"

static const struct bench_workload *const all[] = {
	&wl_imbalance, &wl_affinity, &wl_balance, &wl_cache, &wl_forkjoin,
	&wl_wakeup, &wl_handoff, &wl_programs, NULL,
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: smpkit-bench [options]\n"
"Run each workload under the stock scheduler and wsched, alternating.\n"
"  --reps N      repetitions per variant (default 3, --long 10)\n"
"  --long        longer windows and more repetitions\n"
"  --only LIST   comma-separated workloads (default: all)\n"
"  --programs LIST  of the programs workload, only these (default: all)\n"
"  --list        print the workloads and exit\n"
"  --baseline-only  only the stock scheduler (no wsched.ko needed)\n"
"  -h, --help    this text\n"
"Output: @-lines on stdout (see Documentation/bench.rst), progress on\n"
"stderr. Needs wsched.ko loaded (%s) and CAP_SYS_NICE.\n", WSCHED_DEVICE);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reps", required_argument, NULL, 'r' },
		{ "long", no_argument, NULL, 'L' },
		{ "only", required_argument, NULL, 'o' },
		{ "programs", required_argument, NULL, 'p' },
		{ "list", no_argument, NULL, 'l' },
		{ "baseline-only", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const struct bench_workload *sel[sizeof(all) / sizeof(all[0])];
	const char *only = NULL;
	bool is_long = false;
	uint64_t reps = 0;
	cpu_set_t mask;
	int o, i, n = 0;

	smpkit_prog = "smpkit-bench";
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'r':
			if (!parse_u64(optarg, 1, 64, &reps))
				die("--reps: '%s' is not 1..64", optarg);
			break;
		case 'L':
			is_long = true;
			break;
		case 'o':
			only = optarg;
			break;
		case 'p':
			bench_programs_check(optarg);
			bench_programs = optarg;
			break;
		case 'b':
			bench_baseline_only = true;
			break;
		case 'l':
			for (i = 0; all[i]; i++)
				printf("%-10s %s\n", all[i]->name, all[i]->title);
			return 0;
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
	for (i = 0; all[i]; i++)
		if (bench_wanted(only, all[i]->name))
			sel[n++] = all[i];
	sel[n] = NULL;
	if (!n)
		die("--only '%s' names no workload (see --list)", only);
	if (!reps)
		reps = is_long ? 10 : 3;
	if (!bench_baseline_only && access(WSCHED_DEVICE, F_OK))
		die("%s is missing: insmod wsched.ko first", WSCHED_DEVICE);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 4)
		die("the workloads need 4 CPUs (0-3), this machine has %ld",
		    sysconf(_SC_NPROCESSORS_ONLN));

	/*
	 * Calibrate pinned, then give the main thread all CPUs back: a
	 * group's CPUs must lie within its creator's mask.
	 */
	if (sched_getaffinity(0, sizeof(mask), &mask))
		die_errno("sched_getaffinity");
	bench_counters_hold();
	bench_pin(0);
	bench_clock_init();
	bench_set_mask(&mask);
	bench_meta((int)reps, is_long);
	/* Runs take 1-15 s here; a minute without progress is a hang. */
	bench_watchdog_start(is_long ? 180 : 90);
	return bench_run_all(sel, (int)reps, is_long);
}
