// SPDX-License-Identifier: GPL-2.0
/*
 * smpkit report: runs a quick pass of every probe (this same binary, one
 * child process each, so a probe's failure is reported and the rest go
 * on), keeps each one's table and picture in a folder, and writes
 * report.md that shows them together.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probes.h"

static const struct step {
	const char *name, *title, *args[6];
	bool plot;
	const char *reading;
} steps[] = {
	{ "topo", "Topology", { "topo" }, false,
	  "What the kernel reports; the VM line comes from CPUID." },
	{ "memlat", "Load latency curve", { "memlat", "--quick" }, true,
	  "Both axes are logarithmic; dashed lines mark the cache sizes (hwloc or CPUID). Steps in the curve are cache levels; the plateau past the LLC is DRAM (plus TLB misses with 4 KiB pages)." },
	{ "matrix", "Node x node latency and bandwidth",
	  { "memlat", "--matrix", "--quick" }, true,
	  "Each cell prints its latency. Diagonal cells are local memory; off-diagonal cells are remote. One node: only the local cell exists." },
	{ "c2c", "Core-to-core round trips", { "c2c", "--quick" }, true,
	  "Each cell prints its round trip; the colour scale runs from 0 (light) to a round number above the slowest pair (dark), so small differences stay pale. CPU 0 is the top row; a CPU with itself is grey. SMT siblings and cores sharing an LLC show up as blocks." },
	{ "locks", "Locks versus threads", { "locks", "--quick" }, true,
	  "Throughput per lock as threads grow; min_share near 0 means starvation." },
	{ "queues", "SQMS versus MQMS", { "queues", "--quick" }, true,
	  "One shared queue stops scaling with its lock; per-CPU queues scale until stealing dominates." },
};

/* Run this binary with @s's arguments, stdout into DIR/name.txt. */
static int run_step(const char *dir, const struct step *s)
{
	char out[4096], png[4096];
	const char *argv[12];
	int n = 0, st, fd;
	pid_t pid;

	snprintf(out, sizeof(out), "%s/%s.txt", dir, s->name);
	snprintf(png, sizeof(png), "%s/%s.png", dir, s->name);
	argv[n++] = "smpkit";
	for (int i = 0; i < 6 && s->args[i]; i++)
		argv[n++] = s->args[i];
	if (s->plot) {
		argv[n++] = "--plot";
		argv[n++] = png;
	}
	argv[n] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (!pid) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(127);
		execv("/proc/self/exe", (char **)argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		die_errno("waitpid");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void copy_file(FILE *md, const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fputs(line, md);
	fclose(f);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: smpkit report [--out DIR]\n"
		"Runs topo, memlat, memlat --matrix, c2c, locks and queues with --quick,\n"
		"saves each one's table (DIR/NAME.txt) and picture (DIR/NAME.png, with\n"
		"gnuplot) and writes DIR/report.md showing them. Default DIR:\n"
		"smpkit-report. Takes about ten seconds on a small machine.\n");
}

int cmd_report(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "out", required_argument, NULL, 'o' },
		{ 0 }
	};
	const char *dir = "smpkit-report";
	char path[4096];
	int opt, failed = 0;
	struct machine m;
	FILE *md;

	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		if (opt != 'o')
			die("report: bad option (smpkit report --help)");
		dir = optarg;
	}
	if (optind < argc)
		die("report: unexpected argument '%s'", argv[optind]);
	if (mkdir(dir, 0755) && errno != EEXIST)
		die_errno("cannot create %s", dir);
	snprintf(path, sizeof(path), "%s/report.md", dir);
	md = fopen(path, "w");
	if (!md)
		die_errno("cannot write %s", path);
	machine_probe(&m);
	fprintf(md, "# smpkit report: %s, %s\n\n", m.model, m.date);
	fprintf(md, "Host %s, kernel %s, %d CPUs, %s; smpkit %s. Every probe "
		    "ran with `--quick`; the header of each table names the "
		    "machine and the noise during the run.\n", m.host,
		m.kernel, m.cpus, m.tcg ? "VM under QEMU TCG" :
		m.in_vm ? "VM" : "bare metal", SMPKIT_VERSION);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const struct step *s = &steps[i];
		int rc;

		fprintf(stderr, "%s: report: running %s\n", smpkit_prog,
			s->name);
		rc = run_step(dir, s);
		fprintf(md, "\n## %s\n\n%s\n\n```\n", s->title, s->reading);
		snprintf(path, sizeof(path), "%s/%s.txt", dir, s->name);
		copy_file(md, path);
		fprintf(md, "```\n");
		if (rc) {
			fprintf(md, "\n**%s failed (exit %d)**\n", s->name, rc);
			failed++;
		}
		snprintf(path, sizeof(path), "%s/%s.png", dir, s->name);
		if (s->plot && !access(path, R_OK))
			fprintf(md, "\n![%s](%s.png)\n", s->title, s->name);
	}
	fclose(md);
	fprintf(stderr, "%s: wrote %s/report.md\n", smpkit_prog, dir);
	return failed ? 1 : 0;
}
