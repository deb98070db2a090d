// SPDX-License-Identifier: GPL-2.0
/*
 * The node's entry points: configuration defaults and checks, start,
 * and cl_node_step(), which decodes a datagram (refusing bad input with
 * a decision, never trusting it), hands events to membership and to the
 * election, runs the periodic work on the tick grid, and reports whether
 * the persistent part changed so the driver stores it before sending.
 */
#include <string.h>

#include "internal.h"

void cl_config_default(struct cl_config *c, unsigned int n)
{
	memset(c, 0, sizeof(*c));
	c->cluster_id = 0x534d504b;	/* "SMPK" */
	c->n = n;
	c->detector = CL_DET_MASTER;
	c->indirect_k = 3;
	c->second_channel = true;
	c->tick = 10000;
	c->hb_interval = 100000;
	c->hb_timeout = 500000;
	c->elect_jitter = 300000;
	c->probe_interval = 200000;
	c->probe_timeout = 80000;
	c->suspect_timeout = 1200000;
	c->disk_timeout = 500000;
	c->lms_window = 2000000;
}

void cl_config_timing(struct cl_config *c, uint32_t hb, uint32_t timeout)
{
	c->hb_interval = hb;
	c->hb_timeout = timeout;
	c->tick = hb / 4 < 10000 ? hb / 4 : 10000;
	if (!c->tick)
		c->tick = 1;
	c->elect_jitter = timeout / 10 * 6;
	c->disk_timeout = timeout;
	c->probe_interval = 2 * hb;
	c->probe_timeout = hb / 10 * 8;
	c->suspect_timeout = timeout / 10 * 24;
}

const char *cl_config_check(const struct cl_config *c)
{
	if (c->n < 1 || c->n > CL_WIRE_MAX_NODES)
		return "the number of nodes must be 1..16";
	if (c->two_node && c->n != 2)
		return "two_node needs exactly two nodes";
	if (c->detector > CL_DET_SWIM)
		return "unknown failure detector";
	if (!c->tick || c->hb_interval < c->tick)
		return "the heart-beat interval must be at least one tick";
	if (c->hb_timeout <= c->hb_interval)
		return "the heart-beat timeout must exceed the interval";
	if (c->probe_interval < c->tick || c->probe_timeout >= c->probe_interval)
		return "the probe timeout must be shorter than the probe interval";
	if (c->disk_timeout <= c->hb_interval)
		return "the disk timeout must exceed the heart-beat interval";
	if (c->disk_votes >= CL_WIRE_MAX_NODES)
		return "the disk may carry at most 15 votes";
	if (c->indirect_k >= CL_WIRE_MAX_NODES)
		return "indirect_k must be below 16";
	if (c->partitions > CL_MAX_PARTS || c->n > CL_NO_OWNER)
		return "at most 8 partitions, and 15 nodes to own them";
	if (c->redundancy > CL_RED_ACTIVE_STANDBY)
		return "unknown redundancy mode";
	if (c->standby > CL_SB_JOURNAL)
		return "unknown stand-by mode";
	if (c->watchdog && c->watchdog < 2 * c->hb_interval)
		return "the watchdog timeout must be at least two heart-beat intervals";
	return NULL;
}

void cl_node_init(struct cl_node *nd, const struct cl_config *cfg,
		  unsigned int id, const struct cl_persist *p, uint64_t seed)
{
	memset(nd, 0, sizeof(*nd));
	nd->cfg = cfg;
	nd->id = id;
	nd->role = CL_FOLLOWER;
	nd->master = nd->last_master = CL_NONE;
	nd->voted_for = CL_NONE;
	nd->fence_target = CL_NONE;
	nd->lost_master = CL_NONE;
	nd->owners = 0xffffffff;
	nd->disk_owner = CL_NONE;
	nd->expected = cfg->n;
	nd->rng = seed * 0x9e3779b97f4a7c15ULL + id + 1;
	if (!nd->rng)
		nd->rng = 1;
	if (p) {
		nd->term = p->term;
		nd->voted_for = p->voted_for;
		nd->inc = p->incarnation;
		nd->wfa_done = p->wfa_done;
	}
}

void cl_node_persist(const struct cl_node *nd, struct cl_persist *p)
{
	memset(p, 0, sizeof(*p));
	p->term = nd->term;
	p->voted_for = nd->voted_for;
	p->incarnation = nd->inc;
	p->wfa_done = nd->wfa_done;
}

void cl_decide(struct cl_out *o, unsigned int type, unsigned int a,
	       uint64_t term)
{
	struct cl_decision *d;

	if (o->ndec >= CL_OUT_DECS) {
		o->dropped++;
		return;
	}
	d = &o->dec[o->ndec++];
	d->type = type;
	d->a = a;
	d->term = term;
}

void cl_send(struct cl_node *nd, struct cl_out *o, struct cl_wire_msg *m,
	     unsigned int dst)
{
	struct cl_msg *out;

	if (o->nmsg >= CL_OUT_MSGS) {
		o->dropped++;
		return;
	}
	m->cluster_id = nd->cfg->cluster_id;
	m->src = nd->id;
	m->dst = dst;
	m->inc = nd->inc;
	cl_gossip_fill(nd, m, dst);
	out = &o->msg[o->nmsg++];
	out->dst = dst;
	out->len = cl_wire_encode(m, out->buf);
}

void cl_send_all(struct cl_node *nd, struct cl_out *o, struct cl_wire_msg *m)
{
	unsigned int j;

	for (j = 0; j < nd->cfg->n; j++)
		if (j != nd->id && nd->m[j].state != CL_M_LEFT)
			cl_send(nd, o, m, j);
}

void cl_disk_write(struct cl_out *o, const struct cl_disk_op *op)
{
	if (o->nwrite >= CL_OUT_WRITES) {
		o->dropped++;
		return;
	}
	o->write[o->nwrite++] = *op;
}

static void recv(struct cl_node *nd, const struct cl_event *ev,
		 struct cl_out *o)
{
	const struct cl_config *c = nd->cfg;
	struct cl_wire_msg m;
	enum cl_wire_err err;

	err = cl_wire_decode(ev->buf, ev->len, c->cluster_id, c->n, nd->id, &m);
	if (err != CL_WIRE_OK) {
		nd->bad_input++;
		cl_decide(o, CL_D_BAD_INPUT, err, nd->term);
		return;
	}
	cl_member_heard(nd, &m, o);
	switch (m.type) {
	case CL_MSG_PING:
	case CL_MSG_ACK:
	case CL_MSG_PING_REQ:
	case CL_MSG_JOIN:
	case CL_MSG_LEAVE:
		cl_member_recv(nd, &m, o);
		break;
	default:
		cl_elect_recv(nd, &m, o);
	}
}

static void start(struct cl_node *nd, struct cl_out *o)
{
	nd->started = true;
	/* A restart refutes whatever the others concluded about us. */
	nd->inc++;
	nd->next_tick = nd->now + nd->cfg->tick;
	nd->last_step = nd->now;
	cl_member_start(nd, o);
	cl_elect_start(nd);
}

void cl_node_step(struct cl_node *nd, cl_time now, const struct cl_event *ev,
		  struct cl_out *o)
{
	const struct cl_config *c = nd->cfg;
	struct cl_persist before, after;

	o->nmsg = o->nwrite = o->ndec = o->dropped = 0;
	o->disk_read = o->persist = false;
	/* The core's clock never runs backwards, whatever the driver's does. */
	if (now > nd->now)
		nd->now = now;
	cl_node_persist(nd, &before);
	if (!nd->started) {
		if (ev->type == CL_EV_START)
			start(nd, o);
		goto out;
	}
	if (nd->left)
		goto out;
	/*
	 * We did not run for several ticks (stopped, swapped, too busy):
	 * the silence we would now see is ours, not the others'.
	 */
	if (nd->now > nd->last_step + 3 * c->tick &&
	    nd->now > nd->last_step + c->hb_interval) {
		cl_member_resume(nd, o);
		cl_service_drop(nd, o);
	}
	nd->last_step = nd->now;
	switch (ev->type) {
	case CL_EV_RECV:
		recv(nd, ev, o);
		break;
	case CL_EV_DISK_READ:
		if (ev->disk) {
			cl_member_disk(nd, ev->disk);
			cl_elect_disk_read(nd, ev->disk);
		}
		break;
	case CL_EV_DISK_WRITE:
		if (ev->op)
			cl_elect_disk_write(nd, ev->op, ev->result, o);
		break;
	case CL_EV_FENCE_DONE:
		cl_elect_fence_done(nd, ev->target, ev->ok, o);
		break;
	case CL_EV_LEAVE:
		cl_elect_leave(nd, o);
		goto out;
	case CL_EV_CAUGHT_UP:
		cl_service_caught(nd, ev->target, o);
		break;
	default:
		break;
	}
	if (nd->now >= nd->next_tick) {
		nd->next_tick += c->tick;
		if (nd->next_tick <= nd->now)
			nd->next_tick = nd->now + c->tick;
		cl_member_tick(nd, o);
		cl_elect_tick(nd, o);
		cl_service_tick(nd, o);
	}
out:
	o->wake = nd->started && !nd->left ? nd->next_tick : 0;
	cl_node_persist(nd, &after);
	o->persist = memcmp(&before, &after, sizeof(before)) != 0;
}

const char *cl_decision_name(unsigned int type)
{
	static const char *const names[] = {
		"master", "step-down", "master-known", "suspect", "dead",
		"alive", "left", "disk-saved", "quorum", "expected",
		"fence-power", "self-fence", "serve", "bad-input",
		"write-refused", "dead-heard", "resumed", "master-lost",
		"own", "disown", "catch-up", "fence-timed",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

const char *cl_role_name(unsigned int role)
{
	static const char *const names[] = { "follower", "candidate", "master" };

	return role <= CL_MASTER ? names[role] : "?";
}
