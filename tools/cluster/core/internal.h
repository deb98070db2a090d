/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the core's files share and nobody outside the core sees: output
 * helpers, the node's own PRNG (seeded by the driver, so the simulator
 * replays it), and the entry points of membership (member.c) and of
 * election, quorum and fencing (elect.c).
 */
#ifndef CL_INTERNAL_H
#define CL_INTERNAL_H

#include "core.h"
#include "quorum.h"

#define BIT(i)		(1u << (i))

static inline uint64_t cl_rand(struct cl_node *nd)
{
	/* xorshift64*: one stream per node, the same for the same seed */
	nd->rng ^= nd->rng >> 12;
	nd->rng ^= nd->rng << 25;
	nd->rng ^= nd->rng >> 27;
	return nd->rng * 0x2545f4914f6cdd1dULL;
}

static inline unsigned int cl_below(struct cl_node *nd, unsigned int n)
{
	return n ? (unsigned int)((cl_rand(nd) >> 32) * n >> 32) : 0;
}

static inline unsigned int cl_popcount(unsigned int v)
{
	return __builtin_popcount(v);
}

void cl_decide(struct cl_out *o, unsigned int type, unsigned int a,
	       uint64_t term);
/* Send @m (type and body filled in) to @dst with header and gossip. */
void cl_send(struct cl_node *nd, struct cl_out *o, struct cl_wire_msg *m,
	     unsigned int dst);
void cl_send_all(struct cl_node *nd, struct cl_out *o, struct cl_wire_msg *m);
void cl_disk_write(struct cl_out *o, const struct cl_disk_op *op);

/* member.c */
void cl_member_start(struct cl_node *nd, struct cl_out *o);
void cl_member_heard(struct cl_node *nd, const struct cl_wire_msg *m,
		     struct cl_out *o);
void cl_member_recv(struct cl_node *nd, const struct cl_wire_msg *m,
		    struct cl_out *o);
void cl_member_tick(struct cl_node *nd, struct cl_out *o);
void cl_member_resume(struct cl_node *nd, struct cl_out *o);
void cl_member_disk(struct cl_node *nd, const struct cl_disk_image *d);
void cl_member_set(struct cl_node *nd, unsigned int j, unsigned int state,
		   uint32_t inc, struct cl_out *o, bool decide);
void cl_gossip_add(struct cl_node *nd, unsigned int node,
		   unsigned int state, uint32_t inc);
void cl_gossip_fill(struct cl_node *nd, struct cl_wire_msg *m,
		    unsigned int dst);
bool cl_disk_alive(const struct cl_node *nd, unsigned int j);

/* elect.c */
void cl_elect_start(struct cl_node *nd);
void cl_elect_recv(struct cl_node *nd, const struct cl_wire_msg *m,
		   struct cl_out *o);
void cl_elect_tick(struct cl_node *nd, struct cl_out *o);
void cl_elect_heartbeat(struct cl_node *nd, struct cl_out *o);
void cl_elect_disk_read(struct cl_node *nd, const struct cl_disk_image *d);
void cl_elect_disk_write(struct cl_node *nd, const struct cl_disk_op *op,
			 int result, struct cl_out *o);
void cl_elect_fence_done(struct cl_node *nd, unsigned int target, bool ok,
			 struct cl_out *o);
void cl_elect_leave(struct cl_node *nd, struct cl_out *o);
void cl_step_down(struct cl_node *nd, unsigned int reason, struct cl_out *o);

/* service.c */
uint32_t cl_service_assign(struct cl_node *nd);
void cl_service_heard(struct cl_node *nd, uint32_t owners);
void cl_service_tick(struct cl_node *nd, struct cl_out *o);
void cl_service_drop(struct cl_node *nd, struct cl_out *o);
void cl_service_caught(struct cl_node *nd, unsigned int p, struct cl_out *o);

#endif
