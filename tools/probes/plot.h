/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the picture files share (plot.c): a gnuplot started with its
 * stdout and stderr on ours, the check that it drew, and the 1-2-5 steps
 * that axes and colour scales are anchored to. The public entry points
 * are in probes.h.
 */
#ifndef SMPKIT_PLOT_H
#define SMPKIT_PLOT_H

#include <stdint.h>
#include <stdio.h>

#include "probes.h"

/* gnuplot writing @file (.png or .svg) with @title; NULL if it cannot. */
FILE *plot_open(const char *file, const char *title);
/* Ends gnuplot; 0 when it exited well and @file is not empty. */
int plot_close(FILE *g, const char *file);
double plot_cell(const struct table *t, int r, int c);
/* The smallest of 1, 2, 5 x 10^k at or above @v (> 0). */
double nice_ceil(double v);
/* ... and the largest at or below. */
double nice_floor(double v);
/* @bytes as "48K", "1M", "1536M": the largest unit that divides it. */
void fmt_size(char *buf, size_t len, uint64_t bytes);

#endif
