// SPDX-License-Identifier: GPL-2.0
/*
 * smpkit: one command, one probe per subcommand (like perf). This file
 * only dispatches and owns the options every probe shares; each probe
 * parses the rest of its own command line.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "probes.h"

static const struct probe {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
} probes[] = {
	{ "topo", cmd_topo, "CPUs, SMT, caches, NUMA nodes, memory, VM detection" },
	{ "memlat", cmd_memlat, "pointer-chase latency curve; --matrix: node x node latency and bandwidth" },
	{ "c2c", cmd_c2c, "core-to-core cache-line round trip for every CPU pair" },
	{ "locks", cmd_locks, "spinlocks, MCS, pthread locks, RCU vs rwlock versus threads" },
	{ "queues", cmd_queues, "one shared queue (SQMS) versus per-CPU queues with stealing (MQMS)" },
	{ "report", cmd_report, "quick run of every probe into a Markdown page with pictures" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: smpkit <probe> [options]   (smpkit <probe> --help)\n"
		   "       smpkit -V | --version\n\nprobes:\n");
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		fprintf(f, "  %-8s %s\n", probes[i].name, probes[i].what);
	fprintf(f, "\nEvery probe pins its threads and checks the CPU, verifies page\n"
		   "placement with move_pages(), reports medians of batches with\n"
		   "their spread, and prints the machine and a noise verdict.\n");
}

bool common_opt(struct common_opts *c, int opt, const char *arg)
{
	uint64_t v;

	switch (opt) {
	case 'C':
		c->fmt = OUT_CSV;
		return true;
	case 'j':
		c->fmt = OUT_JSON;
		return true;
	case 'P': {
		const char *dot = strrchr(arg, '.');

		if (!dot || (strcmp(dot, ".png") && strcmp(dot, ".svg")))
			die("--plot wants a file ending in .png or .svg, not '%s'",
			    arg);
		c->plot = arg;
		return true;
	}
	case 'r':
		if (!parse_u64(arg, 3, 100000, &v))
			die("--reps wants a number from 3 to 100000, not '%s'",
			    arg);
		c->reps = v;
		return true;
	case 'q':
		c->quick = true;
		return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	smpkit_prog = "smpkit";
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("smpkit %s\n", SMPKIT_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		if (strcmp(argv[1], probes[i].name))
			continue;
		clock_init();
		return probes[i].fn(argc - 1, argv + 1);
	}
	die("unknown probe '%s' (smpkit --help lists them)", argv[1]);
}
