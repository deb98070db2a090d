// SPDX-License-Identifier: GPL-2.0
/*
 * Pictures through gnuplot (Debian's gnuplot-nox): curves for latency and
 * scaling, heatmaps for the pair and node matrices. The data goes inline
 * as gnuplot datablocks over a pipe; the file's extension picks pngcairo
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

#include "probes.h"

static FILE *plot_open(const char *file, const char *title)
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

static int plot_close(FILE *g, const char *file)
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

static double cellv(const struct table *t, int r, int c)
{
	return t->cells[r * t->ncols + c].v;
}

int plot_curve(const char *file, const struct table *t, int xc,
	       const int *ycs, int nys, bool logx, const char *ylabel)
{
	FILE *g = plot_open(file, t->title);

	if (!g)
		return -1;
	fprintf(g, "$d << EOD\n");
	for (int r = 0; r < t->nrows; r++) {
		fprintf(g, "%g", cellv(t, r, xc));
		for (int i = 0; i < nys; i++)
			fprintf(g, " %g", cellv(t, r, ycs[i]));
		fprintf(g, "\n");
	}
	fprintf(g, "EOD\n");
	if (logx)
		fprintf(g, "set logscale x 2\n");
	fprintf(g, "set xlabel '%s' noenhanced\nset ylabel '%s' noenhanced\n",
		t->cols[xc], ylabel);
	fprintf(g, "plot ");
	for (int i = 0; i < nys; i++)
		fprintf(g, "%s$d using 1:%d with linespoints title '%s'",
			i ? ", " : "", i + 2, t->cols[ycs[i]]);
	fprintf(g, "\n");
	return plot_close(g, file);
}

/* Index of @v among the sorted distinct values in @vals (n of them). */
static int idx_of(const double *vals, int n, double v)
{
	for (int i = 0; i < n; i++)
		if (vals[i] == v)
			return i;
	return -1;
}

static int add_distinct(double *vals, int n, double v)
{
	if (idx_of(vals, n, v) >= 0)
		return n;
	int i = n;

	while (i > 0 && vals[i - 1] > v) {
		vals[i] = vals[i - 1];
		i--;
	}
	vals[i] = v;
	return n + 1;
}

int plot_heatmap(const char *file, const struct table *t, int rc, int cc,
		 int vc, const char *label)
{
	int nk = 0, n = 2 * t->nrows + 1;
	double *keys = calloc(n, sizeof(*keys)), *grid;
	FILE *g;

	if (!keys)
		die("out of memory");
	for (int r = 0; r < t->nrows; r++) {
		nk = add_distinct(keys, nk, cellv(t, r, rc));
		nk = add_distinct(keys, nk, cellv(t, r, cc));
	}
	grid = malloc(sizeof(*grid) * nk * nk);
	if (!grid)
		die("out of memory");
	for (int i = 0; i < nk * nk; i++)
		grid[i] = NAN;
	/* Pair tables hold i < j only: mirror what is missing. */
	for (int r = 0; r < t->nrows; r++) {
		int a = idx_of(keys, nk, cellv(t, r, rc));
		int b = idx_of(keys, nk, cellv(t, r, cc));

		grid[a * nk + b] = cellv(t, r, vc);
		if (isnan(grid[b * nk + a]))
			grid[b * nk + a] = cellv(t, r, vc);
	}
	g = plot_open(file, t->title);
	if (!g) {
		free(keys);
		free(grid);
		return -1;
	}
	fprintf(g, "$d << EOD\n");
	for (int a = 0; a < nk; a++)
		for (int b = 0; b < nk; b++)
			fprintf(g, "%d %d %g\n", b, a, grid[a * nk + b]);
	fprintf(g, "EOD\nset xtics (");
	for (int i = 0; i < nk; i++)
		fprintf(g, "%s\"%g\" %d", i ? ", " : "", keys[i], i);
	fprintf(g, ")\nset ytics (");
	for (int i = 0; i < nk; i++)
		fprintf(g, "%s\"%g\" %d", i ? ", " : "", keys[i], i);
	fprintf(g, ")\nset xlabel '%s' noenhanced\nset ylabel '%s' noenhanced\n",
		t->cols[cc], t->cols[rc]);
	fprintf(g, "set cblabel '%s' noenhanced\nset palette rgb 21,22,23\n"
		   "set xrange [-0.5:%d.5]\nset yrange [-0.5:%d.5] reverse\n"
		   "unset grid\n", label, nk - 1, nk - 1);
	fprintf(g, "plot $d using 1:2:3 with image notitle, "
		   "$d using 1:2:(($3 == $3) ? sprintf('%%.0f', $3) : '') with labels notitle\n");
	free(keys);
	free(grid);
	return plot_close(g, file);
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
				fprintf(g, "%g %g\n", cellv(t, r, xc),
					cellv(t, r, yc));
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
