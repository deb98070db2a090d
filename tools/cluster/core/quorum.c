// SPDX-License-Identifier: GPL-2.0
/*
 * Votequorum arithmetic. A strict majority of all votes means any two
 * quorums share a voter, which is what makes one master per term (each
 * voter votes once per term) and two viable halves impossible. two_node
 * gives that up for N = 2 and leans on the disk reservation and power
 * fencing instead, as Corosync leans on its fence race.
 */
#include "quorum.h"

unsigned int cl_quorum_need(const struct cl_config *c, unsigned int expected)
{
	unsigned int total = expected + c->disk_votes;

	if (c->broken & CL_BROKEN_HALF_QUORUM)
		return total / 2 ? total / 2 : 1;
	if (c->two_node && c->n == 2 && !c->disk_votes)
		return 1;
	return total / 2 + 1;
}

bool cl_quorate(const struct cl_config *c, unsigned int expected,
		unsigned int node_votes, bool disk)
{
	return node_votes + (disk ? c->disk_votes : 0) >=
	       cl_quorum_need(c, expected);
}

unsigned int cl_lms_next(const struct cl_config *c, unsigned int expected,
			 unsigned int active, cl_time stable)
{
	if (!c->last_man_standing)
		return c->n;
	if (active > expected)
		return c->broken & CL_BROKEN_LMS_NO_RAISE ? expected : active;
	if (active < expected && stable >= c->lms_window)
		return active < 2 ? 2 : active;
	return expected;
}
