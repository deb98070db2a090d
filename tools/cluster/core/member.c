// SPDX-License-Identifier: GPL-2.0
/*
 * Membership: the configured potential members and which of them are
 * active (alive, suspect) or not (dead, left), join and leave, and two
 * failure detectors. CL_DET_MASTER: the master suspects a member whose
 * heart-beat acks stop (elect.c sends the beats). CL_DET_SWIM: every node
 * probes one member per period, asks k others to probe indirectly when
 * the direct probe is not answered, suspects, and lets the suspect refute
 * with a higher incarnation (SWIM with Lifeguard's refutation). In both, a
 * suspect is declared dead only when its disk slot has stopped moving too
 * (the second channel), unless the configuration turns that off.
 */
#include "internal.h"

#define GOSSIP_SENDS	4	/* ~ log2(16): enough to reach everyone */

void cl_gossip_add(struct cl_node *nd, unsigned int node, unsigned int state,
		   uint32_t inc)
{
	struct cl_gossip_q *q, *slot = NULL;
	unsigned int i;

	for (i = 0; i < CL_GOSSIP_Q; i++) {
		q = &nd->gq[i];
		if (q->left && q->node == node) {
			slot = q;
			break;
		}
		if (!q->left && !slot)
			slot = q;
	}
	if (!slot)
		slot = &nd->gq[cl_below(nd, CL_GOSSIP_Q)];
	slot->node = node;
	slot->state = state;
	slot->inc = inc;
	slot->left = GOSSIP_SENDS;
}

void cl_gossip_fill(struct cl_node *nd, struct cl_wire_msg *m,
		    unsigned int dst)
{
	struct cl_gossip_q *q;
	unsigned int i, ng = 0;

	/* Tell the receiver what we think of it, so it can refute. */
	if (nd->m[dst].state != CL_M_ALIVE) {
		m->g[ng].node = dst;
		m->g[ng].state = nd->m[dst].state;
		m->g[ng++].inc = nd->m[dst].inc;
	}
	for (i = 0; i < CL_GOSSIP_Q && ng < CL_WIRE_GOSSIP; i++) {
		q = &nd->gq[i];
		if (!q->left || q->node == dst)
			continue;
		q->left--;
		m->g[ng].node = q->node;
		m->g[ng].state = q->state;
		m->g[ng++].inc = q->inc;
	}
	m->ngossip = ng;
}

void cl_member_set(struct cl_node *nd, unsigned int j, unsigned int state,
		   uint32_t inc, struct cl_out *o, bool decide)
{
	static const uint8_t dec[] = {
		[CL_M_ALIVE] = CL_D_ALIVE, [CL_M_SUSPECT] = CL_D_SUSPECT,
		[CL_M_DEAD] = CL_D_DEAD, [CL_M_LEFT] = CL_D_LEFT,
	};
	struct cl_member *mb = &nd->m[j];

	if (mb->state == state && mb->inc == inc)
		return;
	if (state == CL_M_SUSPECT && mb->state != CL_M_SUSPECT) {
		mb->suspect_at = nd->now;
		mb->saved = false;
	}
	if (state == CL_M_ALIVE && mb->state != CL_M_ALIVE) {
		/* a comeback earns one timeout on each channel */
		mb->heard = mb->alive_since = mb->disk_changed = nd->now;
	}
	if (decide && mb->state != state)
		cl_decide(o, dec[state], j, nd->term);
	mb->state = state;
	mb->inc = inc;
	cl_gossip_add(nd, j, state, inc);
}

bool cl_disk_alive(const struct cl_node *nd, unsigned int j)
{
	return nd->now - nd->m[j].disk_changed < nd->cfg->disk_timeout;
}

/* A suspicion has run its course: dead, unless the disk says otherwise. */
static void confirm_dead(struct cl_node *nd, unsigned int j, struct cl_out *o)
{
	const struct cl_config *c = nd->cfg;
	bool second = c->second_channel && !(c->broken & CL_BROKEN_NO_SUSPECT);

	if (second && cl_disk_alive(nd, j)) {
		if (!nd->m[j].saved)
			cl_decide(o, CL_D_DISK_SAVED, j, nd->term);
		nd->m[j].saved = true;
		return;
	}
	cl_member_set(nd, j, CL_M_DEAD, nd->m[j].inc, o, true);
}

void cl_member_start(struct cl_node *nd, struct cl_out *o)
{
	struct cl_wire_msg m = { .type = CL_MSG_JOIN };
	unsigned int j, k, t;

	for (j = 0; j < nd->cfg->n; j++) {
		nd->m[j].state = CL_M_ALIVE;
		nd->m[j].heard = 0;
		nd->m[j].ack = nd->now;
		nd->m[j].disk_changed = nd->now;
		nd->order[j] = j;
	}
	/* A random probe order per node, as SWIM prescribes. */
	for (j = nd->cfg->n; j > 1; j--) {
		k = cl_below(nd, j);
		t = nd->order[j - 1];
		nd->order[j - 1] = nd->order[k];
		nd->order[k] = t;
	}
	nd->next_probe = nd->now + cl_below(nd, nd->cfg->probe_interval);
	nd->probe_acked = true;
	m.term = nd->term;
	cl_send_all(nd, o, &m);
}

/* Any well-formed datagram: the sender lives, and its gossip counts. */
void cl_member_heard(struct cl_node *nd, const struct cl_wire_msg *m,
		     struct cl_out *o)
{
	struct cl_member *mb = &nd->m[m->src];
	const struct cl_wire_gossip *g;
	unsigned int i;

	mb->heard = nd->now;
	if (m->inc > mb->inc || (m->inc == mb->inc && mb->state == CL_M_SUSPECT))
		if (m->type != CL_MSG_LEAVE)
			cl_member_set(nd, m->src, CL_M_ALIVE, m->inc, o, true);
	for (i = 0; i < m->ngossip; i++) {
		g = &m->g[i];
		mb = &nd->m[g->node];
		if (g->node == nd->id) {
			if (g->state != CL_M_ALIVE && g->inc >= nd->inc) {
				nd->inc = g->inc + 1;
				cl_gossip_add(nd, nd->id, CL_M_ALIVE, nd->inc);
			}
			continue;
		}
		switch (g->state) {
		case CL_M_ALIVE:
			if (g->inc > mb->inc)
				cl_member_set(nd, g->node, CL_M_ALIVE, g->inc,
					      o, true);
			break;
		case CL_M_SUSPECT:
			if (g->inc > mb->inc ||
			    (g->inc == mb->inc && mb->state == CL_M_ALIVE))
				cl_member_set(nd, g->node, CL_M_SUSPECT, g->inc,
					      o, true);
			break;
		default:
			if (g->inc < mb->inc || mb->state == g->state ||
			    mb->state == CL_M_LEFT)
				break;
			/* someone else's verdict: say whose it is */
			if (g->state == CL_M_DEAD)
				cl_decide(o, CL_D_DEAD_HEARD, g->node, nd->term);
			cl_member_set(nd, g->node, g->state, g->inc, o,
				      g->state != CL_M_DEAD);
		}
	}
}

static void probe_failed(struct cl_node *nd, unsigned int j, struct cl_out *o)
{
	struct cl_member *mb = &nd->m[j];

	if (mb->state != CL_M_ALIVE)
		return;
	if (nd->cfg->broken & CL_BROKEN_NO_SUSPECT)
		cl_member_set(nd, j, CL_M_DEAD, mb->inc, o, true);
	else
		cl_member_set(nd, j, CL_M_SUSPECT, mb->inc, o, true);
}

static void swim_tick(struct cl_node *nd, struct cl_out *o)
{
	const struct cl_config *c = nd->cfg;
	struct cl_wire_msg m = { 0 };
	unsigned int i, j = nd->id, k, sent;

	if (!nd->probe_acked && !nd->probe_indirect &&
	    nd->now >= nd->probe_sent + c->probe_timeout) {
		nd->probe_indirect = true;
		for (sent = 0, i = 0; i < c->n && sent < c->indirect_k; i++) {
			k = (i + cl_below(nd, c->n)) % c->n;
			if (k == nd->id || k == nd->probe_target ||
			    nd->m[k].state != CL_M_ALIVE)
				continue;
			m.type = CL_MSG_PING_REQ;
			m.a = nd->probe_target;
			m.seq = nd->probe_seq;
			cl_send(nd, o, &m, k);
			sent++;
		}
	}
	if (nd->now < nd->next_probe)
		return;
	if (!nd->probe_acked)
		probe_failed(nd, nd->probe_target, o);
	nd->next_probe = nd->now + c->probe_interval;
	for (i = 0; i < c->n; i++) {
		nd->probe_pos = (nd->probe_pos + 1) % c->n;
		j = nd->order[nd->probe_pos];
		if (j != nd->id && nd->m[j].state != CL_M_LEFT)
			break;
	}
	if (j == nd->id || nd->m[j].state == CL_M_LEFT) {
		nd->probe_acked = true;
		return;
	}
	nd->probe_target = j;
	nd->probe_seq++;
	nd->probe_acked = false;
	nd->probe_indirect = false;
	nd->probe_sent = nd->now;
	m.type = CL_MSG_PING;
	m.a = CL_NONE;
	m.seq = nd->probe_seq;
	cl_send(nd, o, &m, j);
}

static void master_tick(struct cl_node *nd, struct cl_out *o)
{
	const struct cl_config *c = nd->cfg;
	struct cl_member *mb;
	cl_time last;
	unsigned int j;

	if (nd->role != CL_MASTER)
		return;
	for (j = 0; j < c->n; j++) {
		mb = &nd->m[j];
		if (j == nd->id)
			continue;
		/* a new master gives everyone one timeout to ack it */
		last = mb->ack > nd->master_since ? mb->ack : nd->master_since;
		if (nd->resumed_at > last)
			last = nd->resumed_at;
		if (mb->alive_since > last)
			last = mb->alive_since;
		if (mb->state == CL_M_ALIVE && nd->now - last > c->hb_timeout)
			cl_member_set(nd, j, CL_M_SUSPECT, mb->inc, o, true);
		else if (mb->state == CL_M_SUSPECT &&
			 nd->now - last <= c->hb_timeout)
			cl_member_set(nd, j, CL_M_ALIVE, mb->inc, o, true);
	}
}

void cl_member_tick(struct cl_node *nd, struct cl_out *o)
{
	const struct cl_config *c = nd->cfg;
	struct cl_member *mb;
	cl_time wait;
	unsigned int j;

	if (c->detector == CL_DET_SWIM)
		swim_tick(nd, o);
	else
		master_tick(nd, o);
	/* The master's detector suspects after the ack timeout already. */
	wait = c->detector == CL_DET_SWIM ? c->suspect_timeout : 0;
	for (j = 0; j < c->n; j++) {
		mb = &nd->m[j];
		if (j != nd->id && mb->state == CL_M_SUSPECT &&
		    nd->now >= mb->suspect_at + wait)
			confirm_dead(nd, j, o);
	}
}

/*
 * Lifeguard's lesson, simplified: after a stretch in which we ran no code
 * we have missed acks and disk reads that were there; restart every
 * failure-detection clock instead of convicting everybody. The master's
 * quorum lease is not restarted (elect.c): that one must run out.
 */
void cl_member_resume(struct cl_node *nd, struct cl_out *o)
{
	unsigned int j;

	for (j = 0; j < nd->cfg->n; j++) {
		nd->m[j].disk_changed = nd->now;
		if (nd->m[j].state == CL_M_SUSPECT)
			nd->m[j].suspect_at = nd->now;
	}
	nd->resumed_at = nd->now;
	nd->probe_acked = true;
	cl_decide(o, CL_D_RESUMED, nd->id, nd->term);
}

void cl_member_recv(struct cl_node *nd, const struct cl_wire_msg *m,
		    struct cl_out *o)
{
	struct cl_wire_msg r = { 0 };
	unsigned int target;

	switch (m->type) {
	case CL_MSG_PING:
		r.type = CL_MSG_ACK;
		r.seq = m->seq;
		r.a = m->a;
		r.b = CL_NONE;
		r.d = m->d;
		cl_send(nd, o, &r, m->src);
		break;
	case CL_MSG_PING_REQ:
		if (m->a == nd->id) {
			/* asked to probe ourselves: we are the proof */
			r.type = CL_MSG_ACK;
			r.seq = m->seq;
			r.a = CL_NONE;
			r.b = nd->id;
			cl_send(nd, o, &r, m->src);
			break;
		}
		r.type = CL_MSG_PING;
		r.a = m->src;
		r.d = m->seq;
		cl_send(nd, o, &r, m->a);
		break;
	case CL_MSG_ACK:
		if (m->a != CL_NONE) {
			/* we were the helper: pass the answer on */
			if (m->a == nd->id)
				break;
			r.type = CL_MSG_ACK;
			r.seq = m->d;
			r.a = CL_NONE;
			r.b = m->src;
			cl_send(nd, o, &r, m->a);
			break;
		}
		target = m->b == CL_NONE ? m->src : m->b;
		if (m->seq == nd->probe_seq && target == nd->probe_target)
			nd->probe_acked = true;
		break;
	case CL_MSG_JOIN:
		/* answer, so the newcomer hears from us too (wait_for_all) */
		r.type = CL_MSG_PING;
		r.a = CL_NONE;
		cl_send(nd, o, &r, m->src);
		cl_member_set(nd, m->src, CL_M_ALIVE,
			      m->inc > nd->m[m->src].inc ? m->inc :
			      nd->m[m->src].inc, o, true);
		break;
	case CL_MSG_LEAVE:
		cl_member_set(nd, m->src, CL_M_LEFT, m->inc, o, true);
		break;
	}
}

void cl_member_disk(struct cl_node *nd, const struct cl_disk_image *d)
{
	unsigned int j;

	for (j = 0; j < nd->cfg->n && j < d->nslots; j++) {
		if (!d->slot[j].valid || d->slot[j].seq == nd->m[j].disk_seq)
			continue;
		nd->m[j].disk_seq = d->slot[j].seq;
		nd->m[j].disk_changed = nd->now;
	}
}
