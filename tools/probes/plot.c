// SPDX-License-Identifier: GPL-2.0
/*
 * Pictures through gnuplot (Debian's gnuplot-nox): what every picture
 * shares, and the lines-per-group plot of locks and queues; the latency
 * curve and the heatmaps have their own files. The data goes inline as
 * gnuplot datablocks over a pipe; the file's extension picks pngcairo
 * or svg. A missing gnuplot is a warning, never a failed measurement.
 * gnuplot's own stdout and stderr go to our stderr: our stdout carries
 * only the format asked for (--json, --csv), which scripts parse.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot.h"

FILE *plot_open(const char *file, const char *title)
{
	const char *dot = strrchr(file, '.');
	FILE *g;

	/* Whatever gnuplot says, it must not land in the caller's JSON. */
	fflush(stdout);
	g = popen("exec gnuplot 1>&2", "w");
	if (!g) {
		warnx_("cannot run gnuplot; no picture");
		return NULL;
	}
	if (dot && !strcmp(dot, ".svg"))
		fprintf(g, "set terminal svg size 900,600 dynamic\n");
	else
		fprintf(g, "set terminal pngcairo size 900,600\n");
	/* So that plot_close() sees this run's picture, not an old one. */
	unlink(file);
	fprintf(g, "set output '%s'\nset title '%s' noenhanced\n", file,
		title);
	fprintf(g, "set grid\nset key outside right noenhanced\n");
	return g;
}

int plot_close(FILE *g, const char *file)
{
	int st = pclose(g);
	struct stat sb;

	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		warnx_("gnuplot failed for %s (is gnuplot-nox installed?)",
		       file);
		return -1;
	}
	/* gnuplot can exit 0 having drawn nothing (a bad 'set output'). */
	if (stat(file, &sb) || !sb.st_size) {
		warnx_("gnuplot wrote nothing to %s", file);
		return -1;
	}
	fprintf(stderr, "%s: wrote %s\n", smpkit_prog, file);
	return 0;
}

double plot_cell(const struct table *t, int r, int c)
{
	return t->cells[r * t->ncols + c].v;
}

double nice_ceil(double v)
{
	double p = pow(10, floor(log10(v)));

	if (v <= p * (1 + 1e-9))
		return p;
	if (v <= 2 * p * (1 + 1e-9))
		return 2 * p;
	if (v <= 5 * p * (1 + 1e-9))
		return 5 * p;
	return 10 * p;
}

double nice_floor(double v)
{
	double p = pow(10, floor(log10(v)));

	if (v >= 5 * p * (1 - 1e-9))
		return 5 * p;
	if (v >= 2 * p * (1 - 1e-9))
		return 2 * p;
	return p;
}

void fmt_size(char *buf, size_t len, uint64_t bytes)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && bytes && !(bytes % 1024)) {
		bytes /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%lluB", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)bytes,
			 units[u]);
}

int plot_groups(const char *file, const struct table *t, int gc, int xc,
		int yc, const char *ylabel)
{
	const char *groups[64];
	int ng = 0;
	FILE *g = plot_open(file, t->title);

	if (!g)
		return -1;
	for (int r = 0; r < t->nrows && ng < 64; r++) {
		const char *s = t->cells[r * t->ncols + gc].s;
		bool seen = false;

		for (int i = 0; i < ng; i++)
			seen |= !strcmp(groups[i], s);
		if (!seen)
			groups[ng++] = s;
	}
	for (int i = 0; i < ng; i++) {
		fprintf(g, "$d%d << EOD\n", i);
		for (int r = 0; r < t->nrows; r++)
			if (!strcmp(t->cells[r * t->ncols + gc].s, groups[i]))
				fprintf(g, "%g %g\n", plot_cell(t, r, xc),
					plot_cell(t, r, yc));
		fprintf(g, "EOD\n");
	}
	fprintf(g, "set xtics 1\n");
	fprintf(g, "set xlabel '%s' noenhanced\nset ylabel '%s' noenhanced\n",
		t->cols[xc], ylabel);
	fprintf(g, "plot ");
	for (int i = 0; i < ng; i++)
		fprintf(g, "%s$d%d using 1:2 with linespoints title '%s'",
			i ? ", " : "", i, groups[i]);
	fprintf(g, "\n");
	return plot_close(g, file);
}
