/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smpkit-cbuild's generator: a small C project (files of plain integer
 * code, one shared header, a Makefile) written into a folder, and the
 * line its program must print, computed from the same description the
 * sources were written from, so a wrong build cannot pass for a build.
 */
#ifndef SMPKIT_CBUILD_H
#define SMPKIT_CBUILD_H

#include <stdint.h>

struct cbuild_shape {
	unsigned int files;	/* translation units besides main.c */
	unsigned int funcs;	/* functions per file */
	unsigned int ops;	/* statements per function */
};

/*
 * Writes proj.h, p000.c..., main.c and a Makefile (target "prog", $(CC)
 * from make's command line) into @dir; returns the value the program
 * prints (as 16 hex digits and a newline) and the number of source lines.
 * Dies on a write error.
 */
uint64_t cbuild_generate(const char *dir, const struct cbuild_shape *s,
			 unsigned long *lines);

#endif
