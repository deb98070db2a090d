// SPDX-License-Identifier: GPL-2.0
/*
 * memlat's picture: ns per load against the working set, both axes
 * logarithmic -- a linear y axis flattens 1 ns L1 and 10 ns L2 onto the
 * floor under 300 ns DRAM -- with a dashed line at each data or unified
 * cache size (caches.c) so the steps can be read against them. Tics are
 * chosen here, powers of two labelled 4K..1G on x and 1-2-5 steps on y,
 * so labels never collide the way gnuplot's 4096, 16384, 65536 did.
 */
#include <math.h>
#include <string.h>

#include "caches.h"
#include "plot.h"

/* x tics: a power of two every @step octaves, so about ten of them. */
static void x_tics(FILE *g, double lo_kib, double hi_kib)
{
	int octs = (int)ceil(log2(hi_kib / lo_kib));
	double step = exp2(octs <= 10 ? 1 : octs <= 20 ? 2 : 3);
	double x = exp2(ceil(log2(lo_kib) - 1e-9));
	char lbl[32];
	bool first = true;

	fprintf(g, "set xtics (");
	for (; x <= hi_kib * (1 + 1e-9); x *= step) {
		fmt_size(lbl, sizeof(lbl), (uint64_t)(x * 1024));
		fprintf(g, "%s\"%s\" %g", first ? "" : ", ", lbl, x);
		first = false;
	}
	fprintf(g, ")\n");
}

/* y tics: 1, 2, 5 x 10^k from @lo to @hi (both 1-2-5 values). */
static void y_tics(FILE *g, double lo, double hi)
{
	bool first = true;

	fprintf(g, "set ytics (");
	for (double y = lo; y <= hi * (1 + 1e-9); y = nice_ceil(y * 1.5)) {
		fprintf(g, "%s\"%g\" %g", first ? "" : ", ", y, y);
		first = false;
	}
	fprintf(g, ")\n");
}

/*
 * One dashed line and label per cache inside the x range; a label
 * within three octaves of the previous one goes a row lower, so two
 * close sizes (an L2 of 1M and an L3 of 4M) do not print over each other.
 * Caches outside the range are named in the x label, where no curve
 * runs through them.
 */
static void cache_marks(FILE *g, const struct caches *cs, double lo_kib,
			double hi_kib)
{
	char name[16], sz[16], beyond[128] = "";
	double last = 0;
	int row = 0;

	for (int i = 0; i < cs->n; i++) {
		const struct cache_info *ci = &cs->c[i];
		double x = ci->size / 1024.0;

		if (!strcmp(ci->type, "Instruction"))
			continue;
		snprintf(name, sizeof(name), "L%d%s", ci->level,
			 strcmp(ci->type, "Data") ? "" : "d");
		fmt_size(sz, sizeof(sz), ci->size);
		if (x > hi_kib || x < lo_kib) {
			size_t n = strlen(beyond);

			snprintf(beyond + n, sizeof(beyond) - n, "%s%s %s",
				 n ? ", " : "", name, sz);
			continue;
		}
		row = last && x / last < 8 ? (row + 1) % 3 : 0;
		last = x;
		fprintf(g, "set arrow from %g, graph 0 to %g, graph 1 nohead dt 2 lc rgb '#606060'\n",
			x, x);
		fprintf(g, "set label \"%s %s\" at %g, graph %g left offset 0.4,0 textcolor rgb '#404040'\n",
			name, sz, x, 0.96 - 0.05 * row);
	}
	fprintf(g, "set xlabel 'working set (log scale)%s%s%s'\n",
		beyond[0] ? "; outside the sets: " : "", beyond,
		cs->n ? "" : "; cache sizes unknown");
}

int plot_latency(const char *file, const struct table *t, int xc, int yc,
		 const struct caches *cs)
{
	double xlo = INFINITY, xhi = 0, ylo = INFINITY, yhi = 0;
	FILE *g;

	for (int r = 0; r < t->nrows; r++) {
		double x = plot_cell(t, r, xc), y = plot_cell(t, r, yc);

		xlo = fmin(xlo, x);
		xhi = fmax(xhi, x);
		if (y > 0) {
			ylo = fmin(ylo, y);
			yhi = fmax(yhi, y);
		}
	}
	if (!t->nrows || !(yhi > 0)) {
		warnx_("no positive latency to draw in %s", file);
		return -1;
	}
	g = plot_open(file, t->title);
	if (!g)
		return -1;
	fprintf(g, "$d << EOD\n");
	for (int r = 0; r < t->nrows; r++)
		if (plot_cell(t, r, yc) > 0)
			fprintf(g, "%g %g\n", plot_cell(t, r, xc),
				plot_cell(t, r, yc));
	fprintf(g, "EOD\n");
	ylo = nice_floor(ylo / 1.5);
	yhi = nice_ceil(yhi * 1.1);
	fprintf(g, "set logscale x 2\nset logscale y 10\n");
	fprintf(g, "set xrange [%g:%g]\nset yrange [%g:%g]\n", xlo / 1.2,
		xhi * 1.2, ylo, yhi);
	x_tics(g, xlo, xhi);
	y_tics(g, ylo, yhi);
	fprintf(g, "set grid xtics ytics lc rgb '#d0d0d0'\n");
	fprintf(g, "set ylabel 'ns per load (log scale)'\n"
		   "set key bottom right inside\n");
	cache_marks(g, cs, xlo / 1.2, xhi * 1.2);
	fprintf(g, "plot $d using 1:2 with linespoints lw 2 pt 7 ps 0.7 lc rgb '#1f5fa8' title 'median ns per load'\n");
	return plot_close(g, file);
}
