/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tvmm's subcommands (one file each) and the option parser they share.
 */
#ifndef TVMM_CMD_H
#define TVMM_CMD_H

#include "tvmm.h"

int cmd_run(int argc, char **argv);
int cmd_xlate(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_idle(int argc, char **argv);

/* qsort's comparison of doubles (cmd_bench.c). */
int cmp_double(const void *a, const void *b);

/* Parses the run options into @cfg; returns optind, or -1 on bad usage. */
int parse_run_options(int argc, char **argv, struct tvmm_config *cfg);
/* Runs @cfg; prints host, stats; destroys the VMs unless @keep. */
int run_and_report(const struct tvmm_config *cfg, struct tvmm_vm **vms,
		   unsigned int *nvms, struct tvmm_host *h, bool keep);
void free_vms(struct tvmm_vm **vms, unsigned int n, struct tvmm_host *h);

#endif
