// SPDX-License-Identifier: GPL-2.0
/*
 * Node redundancy: a service cut into partitions (key ranges, say), each
 * served by one member, its primary; the others are its secondaries. The
 * master assigns them and sends the map in every heart beat:
 * active/active spreads them over all active members and hands a dead
 * member's share to the least loaded survivors; active/stand-by gives all
 * of them to one primary, and a stand-by takes them all when it dies.
 * A member serves a partition only while its master lease holds and its
 * master's term is the disk's epoch, and a newly assigned one only after
 * a handover wait longer than any lease the previous owner may still
 * hold, so no partition is served twice. With a stand-by mode the
 * service has state: after the handover the new primary asks its driver
 * to bring its copy up to date (CATCH_UP) and serves once told it is
 * (CL_EV_CAUGHT_UP); what that costs is the difference between a hot
 * stand-by and a journal replay, and the driver's to measure.
 */
#include "internal.h"

static unsigned int owner(uint32_t map, unsigned int p)
{
	return map >> (4 * p) & 0xf;
}

static bool usable(const struct cl_node *nd, unsigned int j)
{
	return j == nd->id || nd->m[j].state <= CL_M_SUSPECT;
}

/* The master's map: keep every live owner, re-home the rest. */
uint32_t cl_service_assign(struct cl_node *nd)
{
	const struct cl_config *c = nd->cfg;
	unsigned int p, j, best, load[CL_WIRE_MAX_NODES] = { 0 };
	uint32_t map = 0xffffffff;

	if (!c->partitions)
		return map;
	for (p = 0; p < c->partitions; p++) {
		j = owner(nd->owners, p);
		if (j != CL_NO_OWNER && j < c->n && usable(nd, j)) {
			map = (map & ~(0xfu << 4 * p)) | j << 4 * p;
			load[j]++;
		}
	}
	for (p = 0; p < c->partitions; p++) {
		if (owner(map, p) != CL_NO_OWNER)
			continue;
		best = CL_NO_OWNER;
		for (j = 0; j < c->n; j++) {
			if (!usable(nd, j))
				continue;
			if (best == CL_NO_OWNER)
				best = j;
			else if (c->redundancy == CL_RED_ACTIVE_STANDBY ?
				 load[j] > load[best] : load[j] < load[best])
				best = j;
		}
		if (c->redundancy == CL_RED_ACTIVE_STANDBY && p &&
		    owner(map, 0) != CL_NO_OWNER)
			best = owner(map, 0);	/* all with the primary */
		map = (map & ~(0xfu << 4 * p)) | best << 4 * p;
		load[best]++;
	}
	/* the master is a member too: its own share follows the map */
	cl_service_heard(nd, map);
	return map;
}

/* A map from our master (or our own, as master). */
void cl_service_heard(struct cl_node *nd, uint32_t map)
{
	unsigned int p;

	nd->owners = map;
	for (p = 0; p < nd->cfg->partitions; p++) {
		if (owner(map, p) != nd->id) {
			nd->pending_parts &= ~BIT(p);
			nd->catching_parts &= ~BIT(p);
			continue;
		}
		if ((nd->serving_parts | nd->pending_parts |
		     nd->catching_parts) & BIT(p))
			continue;
		nd->pending_parts |= BIT(p);
		nd->pending_since[p] = nd->now;
	}
}

void cl_service_drop(struct cl_node *nd, struct cl_out *o)
{
	unsigned int p;

	for (p = 0; p < nd->cfg->partitions; p++)
		if (nd->serving_parts & BIT(p))
			cl_decide(o, CL_D_DISOWN, p, nd->term);
	nd->serving_parts = nd->pending_parts = nd->catching_parts = 0;
}

/*
 * Serve only under a master we heard within the timeout whose term is
 * the disk's current epoch, as we read it within the timeout: a deposed
 * master may beat on for a while, but its epoch is gone.
 */
static bool lease(const struct cl_node *nd)
{
	const struct cl_config *c = nd->cfg;

	return (nd->role == CL_MASTER ||
		(nd->role == CL_FOLLOWER && nd->master != CL_NONE &&
		 nd->now - nd->master_heard <= c->hb_timeout)) &&
	       nd->disk_seen && nd->disk_epoch == nd->term &&
	       nd->now - nd->disk_read_at <= c->hb_timeout;
}

static void serve(struct cl_node *nd, unsigned int p, struct cl_out *o)
{
	nd->pending_parts &= ~BIT(p);
	nd->catching_parts &= ~BIT(p);
	nd->serving_parts |= BIT(p);
	cl_decide(o, CL_D_OWN, p, nd->term);
}

/* The driver's copy of @p is up to date: serve it if it is still ours. */
void cl_service_caught(struct cl_node *nd, unsigned int p, struct cl_out *o)
{
	if (p >= nd->cfg->partitions || !(nd->catching_parts & BIT(p)))
		return;
	nd->caught_parts |= BIT(p);
	if (lease(nd))
		serve(nd, p, o);
}

void cl_service_tick(struct cl_node *nd, struct cl_out *o)
{
	const struct cl_config *c = nd->cfg;
	/* longer than a lease, with room for a clock 5 % slow */
	cl_time wait = c->broken & CL_BROKEN_NO_HANDOVER ? 0 :
		       c->hb_timeout + c->hb_timeout / 5;
	unsigned int p;

	if (!c->partitions)
		return;
	if (!lease(nd)) {
		cl_service_drop(nd, o);
		return;
	}
	for (p = 0; p < c->partitions; p++) {
		if ((nd->serving_parts & BIT(p)) && owner(nd->owners, p) != nd->id) {
			nd->serving_parts &= ~BIT(p);
			cl_decide(o, CL_D_DISOWN, p, nd->term);
		}
		if ((nd->catching_parts & nd->caught_parts & BIT(p)))
			serve(nd, p, o);
		if (!(nd->pending_parts & BIT(p)) ||
		    nd->now - nd->pending_since[p] < wait)
			continue;
		if (c->standby == CL_SB_NONE || c->broken & CL_BROKEN_NO_CATCHUP) {
			serve(nd, p, o);
			continue;
		}
		/* the handover is over: nobody else serves it; catch up */
		nd->pending_parts &= ~BIT(p);
		nd->catching_parts |= BIT(p);
		nd->caught_parts &= ~BIT(p);
		cl_decide(o, CL_D_CATCH_UP, p, nd->term);
	}
}
