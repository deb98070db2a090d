/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quorum arithmetic as Corosync's votequorum has it: expected votes, a
 * strict majority of them (N/2+1), two_node, last_man_standing, and the
 * voting disk's extra votes. Pure functions of the configuration.
 */
#ifndef CL_QUORUM_H
#define CL_QUORUM_H

#include <stdbool.h>

#include "core.h"

/* Votes needed with @expected node votes plus the disk's. */
unsigned int cl_quorum_need(const struct cl_config *c, unsigned int expected);
/* Does @node_votes (plus the disk's votes when @disk) reach quorum? */
bool cl_quorate(const struct cl_config *c, unsigned int expected,
		unsigned int node_votes, bool disk);
/*
 * last_man_standing: the expected votes after @active members have been
 * the whole membership for @stable microseconds. Expected votes rise at
 * once when members come back, and fall only after lms_window, never
 * below two.
 */
unsigned int cl_lms_next(const struct cl_config *c, unsigned int expected,
			 unsigned int active, cl_time stable);

#endif
