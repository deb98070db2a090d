// SPDX-License-Identifier: GPL-2.0
/*
 * Heatmaps of the pair and node matrices (c2c, memlat --matrix). Every
 * cell is a box with its value printed in it, so a reader never has to
 * map a colour back to a number; cells without a measurement (c2c's
 * diagonal) are grey with "-". The colour scale runs from 0 to a 1-2-5
 * step above the largest value: an automatic range would stretch 201 vs
 * 237 ns of noise into black vs white. Row 0 is at the top, as in the
 * tables. Boxes, unlike gnuplot's 'with image', draw a 1x1 matrix too.
 */
#include <math.h>
#include <stdlib.h>

#include "plot.h"

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

/* Tic labels: every CPU up to 32, then every k-th so they stay apart. */
static void tics(FILE *g, const char *axis, const double *keys, int nk)
{
	int every = (nk + 31) / 32;

	fprintf(g, "set %stics (", axis);
	for (int i = 0; i < nk; i += every)
		fprintf(g, "%s\"%g\" %d", i ? ", " : "", keys[i], i);
	fprintf(g, ") scale 0\n");
}

/* Write the gnuplot script for an nk x nk @grid (NAN: not measured). */
static void heatmap_script(FILE *g, const struct table *t, int rc, int cc,
			   const double *keys, int nk, const double *grid,
			   const char *label)
{
	double vmax = 0, top;
	int missing = 0, prec, font;

	for (int i = 0; i < nk * nk; i++) {
		if (isnan(grid[i]))
			missing++;
		else
			vmax = fmax(vmax, grid[i]);
	}
	top = vmax > 0 ? nice_ceil(vmax * 1.001) : 1;
	prec = top <= 10 ? 2 : top <= 100 ? 1 : 0;
	/* Past 32 rows a number no longer fits its cell: colour only. */
	font = nk <= 8 ? 12 : nk <= 16 ? 9 : 7;
	fprintf(g, "$d << EOD\n");
	for (int a = 0; a < nk; a++)
		for (int b = 0; b < nk; b++)
			if (!isnan(grid[a * nk + b]))
				fprintf(g, "%d %d %.9g\n", b, a,
					grid[a * nk + b]);
	fprintf(g, "EOD\n$m << EOD\n");
	for (int a = 0; a < nk; a++)
		for (int b = 0; b < nk; b++)
			if (isnan(grid[a * nk + b]))
				fprintf(g, "%d %d\n", b, a);
	fprintf(g, "EOD\n");
	tics(g, "x", keys, nk);
	tics(g, "y", keys, nk);
	fprintf(g, "set xlabel '%s' noenhanced\nset ylabel '%s' noenhanced\n",
		t->cols[cc], t->cols[rc]);
	fprintf(g, "unset grid\nunset key\nset size ratio 1\n"
		   "set xrange [-0.5:%d.5]\nset yrange [%d.5:-0.5]\n",
		nk - 1, nk - 1);
	fprintf(g, "set cblabel '%s' noenhanced\nset cbrange [0:%g]\n"
		   "set palette defined (0 '#fff7ec', 0.5 '#fdbb84', 1 '#e34a33')\n",
		label, top);
	fprintf(g, "plot $d using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder fc palette");
	if (missing)
		fprintf(g, ", $m using 1:2:(0.5):(0.5) with boxxyerror fs solid 1.0 noborder fc rgb '#d9d9d9'");
	if (nk <= 32) {
		fprintf(g, ", $d using 1:2:(sprintf('%%.%df', $3)) with labels font ',%d'",
			prec, font);
		if (missing)
			fprintf(g, ", $m using 1:2:('-') with labels font ',%d'",
				font);
	}
	fprintf(g, "\n");
}

int plot_heatmap(const char *file, const struct table *t, int rc, int cc,
		 int vc, const char *label)
{
	int nk = 0, n = 2 * t->nrows + 1, ret;
	double *keys = calloc(n, sizeof(*keys)), *grid;
	FILE *g;

	if (!keys)
		die("out of memory");
	if (!t->nrows) {
		warnx_("no cell to draw in %s", file);
		free(keys);
		return -1;
	}
	for (int r = 0; r < t->nrows; r++) {
		nk = add_distinct(keys, nk, plot_cell(t, r, rc));
		nk = add_distinct(keys, nk, plot_cell(t, r, cc));
	}
	grid = malloc(sizeof(*grid) * nk * nk);
	if (!grid)
		die("out of memory");
	for (int i = 0; i < nk * nk; i++)
		grid[i] = NAN;
	/* Pair tables hold i < j only: mirror what is missing. */
	for (int r = 0; r < t->nrows; r++) {
		int a = idx_of(keys, nk, plot_cell(t, r, rc));
		int b = idx_of(keys, nk, plot_cell(t, r, cc));

		grid[a * nk + b] = plot_cell(t, r, vc);
		if (isnan(grid[b * nk + a]))
			grid[b * nk + a] = plot_cell(t, r, vc);
	}
	g = plot_open(file, t->title);
	if (g)
		heatmap_script(g, t, rc, cc, keys, nk, grid, label);
	ret = g ? plot_close(g, file) : -1;
	free(keys);
	free(grid);
	return ret;
}
