// SPDX-License-Identifier: GPL-2.0
/*
 * Master election, quorum and fencing. Raft's election without its log:
 * numbered terms, one vote per node per term (persisted), randomised
 * timeouts, a pre-vote round so a node cut off from the master cannot
 * inflate the term and depose a healthy master when it returns, and
 * "stickiness" (no vote while our master still beats). Winning needs a
 * quorum (quorum.c) of node votes, or of node votes plus the voting
 * disk's when the disk is free, and then the disk reservation for the
 * term: the epoch is the fencing token. Before serving, the new master
 * has the previous one powered off, or, with watchdogs, waits until the
 * previous one's watchdog must have killed it; a master that loses its
 * quorum lease or its disk steps down and fences itself.
 */
#include "internal.h"

/*
 * Raft's randomised delay spreads candidates over the whole jitter, so
 * the first one goes, on average, jitter / (followers + 1) late. Ranked,
 * the followers go in turn after the master they lost (the next id
 * first), a slot of jitter / n apart with a random half slot inside it:
 * one that is gone or cut off costs one slot. Votes still decide, so
 * this is about speed, not safety.
 *
 * BEAT is set when a master's beat sets the deadline. Every member heard
 * that beat, so every member knows who the successor is, and the others
 * wait at least a slot more: the successor needs no random draw and
 * starts when the timeout runs out, plus a quarter tick so that members
 * that heard the same beat a moment later have timed out too when its
 * pre-vote comes. Only this first try is exact. Any later one (a vote
 * split or refused, a step-down) draws again: two nodes whose last
 * masters differ (after a partition) may both rank first, and without
 * a draw they could tie for ever.
 */
static cl_time election_delay(struct cl_node *nd, bool beat)
{
	const struct cl_config *c = nd->cfg;
	unsigned int slot = c->elect_jitter / c->n, rank;

	if (!c->ranked)
		return c->hb_timeout + cl_below(nd, c->elect_jitter + 1);
	rank = nd->last_master == CL_NONE ? nd->id :
	       (nd->id + c->n - nd->last_master - 1) % c->n;
	if (beat && !rank)
		return c->hb_timeout + c->tick / 4;
	return c->hb_timeout + rank * slot + cl_below(nd, slot / 2 + 1);
}

void cl_elect_start(struct cl_node *nd)
{
	nd->role = CL_FOLLOWER;
	nd->master = CL_NONE;
	nd->elect_at = nd->now + election_delay(nd, false);
	nd->next_hb = nd->now;
}

/* The disk's votes are free: nobody holds it, or its holder went quiet. */
static bool disk_claimable(const struct cl_node *nd)
{
	if (!nd->disk_seen)
		return false;
	if (nd->disk_owner == CL_NONE || nd->disk_owner == nd->id)
		return true;
	return nd->now - nd->disk_renew_changed >= nd->cfg->disk_timeout;
}

static bool enough(const struct cl_node *nd, unsigned int votes)
{
	const struct cl_config *c = nd->cfg;

	if (cl_quorate(c, nd->expected, votes, false))
		return true;
	return c->disk_votes && disk_claimable(nd) &&
	       cl_quorate(c, nd->expected, votes, true);
}

/* Acks of this term younger than the timeout, ourselves included. */
static unsigned int lease_votes(const struct cl_node *nd)
{
	unsigned int j, v = 1;

	for (j = 0; j < nd->cfg->n; j++)
		if (j != nd->id && nd->m[j].ack &&
		    nd->now - nd->m[j].ack <= nd->cfg->hb_timeout)
			v++;
	return v;
}

static bool lease_holds(const struct cl_node *nd)
{
	bool disk = nd->now - nd->renew_ok <= nd->cfg->hb_timeout;

	return disk && cl_quorate(nd->cfg, nd->expected, lease_votes(nd), disk);
}

void cl_step_down(struct cl_node *nd, unsigned int reason, struct cl_out *o)
{
	if (nd->role == CL_MASTER) {
		cl_decide(o, CL_D_STEP_DOWN, reason, nd->term);
		cl_decide(o, CL_D_SELF_FENCE, nd->id, nd->term);
		cl_decide(o, CL_D_QUORUM, 0, nd->term);
	}
	nd->role = CL_FOLLOWER;
	nd->serving = nd->fence_pending = false;
	nd->claiming = nd->prevoting = false;
	if (nd->master == nd->id)
		nd->master = CL_NONE;
	nd->elect_at = nd->now + election_delay(nd, false);
}

static void new_term(struct cl_node *nd, uint64_t term, struct cl_out *o)
{
	nd->term = term;
	nd->voted_for = CL_NONE;
	cl_step_down(nd, CL_STEP_TERM, o);
}

static void check_votes(struct cl_node *nd, struct cl_out *o)
{
	struct cl_disk_op op = { .kind = CL_DISK_RESERVE };

	if (nd->role != CL_CANDIDATE || nd->claiming ||
	    !enough(nd, cl_popcount(nd->votes)))
		return;
	nd->claiming = true;
	op.node = nd->id;
	op.epoch = nd->term;
	op.stamp = nd->now;
	cl_disk_write(o, &op);
}

static void start_election(struct cl_node *nd, struct cl_out *o)
{
	struct cl_wire_msg m = { .type = CL_MSG_VOTE };

	nd->prevoting = false;
	nd->term++;
	nd->voted_for = nd->id;
	nd->role = CL_CANDIDATE;
	nd->votes = BIT(nd->id);
	nd->claiming = false;
	nd->elect_at = nd->now + election_delay(nd, false);
	nd->vote_sent = nd->now;
	m.term = nd->term;
	cl_send_all(nd, o, &m);
	check_votes(nd, o);
}

static void check_prevote(struct cl_node *nd, struct cl_out *o)
{
	if (nd->prevoting && enough(nd, cl_popcount(nd->prevotes)))
		start_election(nd, o);
}

static void start_prevote(struct cl_node *nd, struct cl_out *o)
{
	struct cl_wire_msg m = { .type = CL_MSG_PREVOTE };

	nd->elect_at = nd->now + election_delay(nd, false);
	if (nd->cfg->wait_for_all && !nd->wfa_done)
		return;
	nd->role = CL_FOLLOWER;
	nd->prevoting = true;
	nd->claiming = false;
	nd->prevotes = BIT(nd->id);
	m.term = nd->term + 1;
	cl_send_all(nd, o, &m);
	check_prevote(nd, o);
}

static void become_master(struct cl_node *nd, cl_time reserved,
			  struct cl_out *o)
{
	unsigned int j;

	nd->role = CL_MASTER;
	nd->master = nd->id;
	nd->claiming = false;
	nd->master_since = nd->now;
	/* leases count from the requests, as acks do (see ack()) */
	nd->renew_ok = reserved;
	for (j = 0; j < nd->cfg->n; j++)
		nd->m[j].ack = nd->votes & BIT(j) ? nd->vote_sent : 0;
	nd->lms_active = 0;
	cl_decide(o, CL_D_MASTER, nd->id, nd->term);
	cl_decide(o, CL_D_QUORUM, 1, nd->term);
	/* Power off the master we followed before serving in its place. */
	if (!(nd->cfg->broken & CL_BROKEN_NO_FENCE) &&
	    nd->last_master != CL_NONE && nd->last_master != nd->id) {
		nd->fence_pending = true;
		nd->fence_target = nd->last_master;
		cl_decide(o, CL_D_FENCE_POWER, nd->fence_target, nd->term);
	} else if (nd->cfg->watchdog) {
		/*
		 * A master we never heard of (we restarted, or were cut off)
		 * may be stuck: with no one to fence, wait out its watchdog.
		 */
		nd->fence_pending = true;
		nd->fence_target = CL_NONE;
	} else {
		nd->serving = true;
		cl_decide(o, CL_D_SERVE, nd->id, nd->term);
	}
	nd->last_master = nd->id;
	cl_elect_heartbeat(nd, o);
}

void cl_elect_heartbeat(struct cl_node *nd, struct cl_out *o)
{
	struct cl_disk_op op = { .node = nd->id };
	struct cl_wire_msg m = { .type = CL_MSG_HB };
	unsigned int j;

	nd->next_hb = nd->now + nd->cfg->hb_interval;
	if (nd->cfg->wait_for_all && !nd->wfa_done) {
		/* keep announcing ourselves until everyone was seen at once */
		m.type = CL_MSG_JOIN;
		m.term = nd->term;
		cl_send_all(nd, o, &m);
		m.type = CL_MSG_HB;
	}
	op.kind = CL_DISK_SLOT;
	op.seq = ++nd->slot_seq;
	op.epoch = nd->term;
	op.role = nd->role;
	op.stamp = nd->now;
	cl_disk_write(o, &op);
	o->disk_read = true;
	if (nd->role != CL_MASTER)
		return;
	m.term = nd->term;
	m.seq = ++nd->hb_seq;
	nd->hb_sent[m.seq % 8].seq = m.seq;
	nd->hb_sent[m.seq % 8].at = nd->now;
	m.a = nd->expected;
	for (j = 0; j < nd->cfg->n; j++)
		if (nd->m[j].state <= CL_M_SUSPECT || j == nd->id)
			m.c |= BIT(j);
	m.d = cl_service_assign(nd);
	cl_send_all(nd, o, &m);
	op.kind = CL_DISK_RENEW;
	op.epoch = nd->term;
	cl_disk_write(o, &op);
	if (nd->serving) {
		op.kind = CL_DISK_DATA;
		op.value = ++nd->data_value;
		cl_disk_write(o, &op);
	}
	if (nd->fence_pending && nd->fence_target != CL_NONE)
		cl_decide(o, CL_D_FENCE_POWER, nd->fence_target, nd->term);
}

/*
 * last_man_standing: expected votes follow the active count once it held
 * still for lms_window — only ever here, after the lease check, so each
 * smaller expected is a quorum of the one before (votequorum's rule).
 */
static void lms_tick(struct cl_node *nd, struct cl_out *o)
{
	unsigned int active = lease_votes(nd), e;

	if (active != nd->lms_active) {
		nd->lms_active = active;
		nd->lms_since = nd->now;
	}
	e = cl_lms_next(nd->cfg, nd->expected, active,
			nd->now - nd->lms_since);
	if (e != nd->expected) {
		nd->expected = e;
		cl_decide(o, CL_D_EXPECTED, e, nd->term);
	}
}

/*
 * The old master M is, at our election E, either running or stuck. If it
 * runs, it loses its lease by E + hb_timeout: a quorum voted for us, and
 * a voter acks no beat of M's sent after its vote, while a lease counts
 * from the send (ack()). So if M still acts as master after that it is
 * stuck since before then, and its watchdog kills it within watchdog of
 * its last run. An eighth more covers two clocks running at different
 * rates (the simulator draws up to 5 % each), two ticks our own grid.
 */
cl_time cl_watchdog_wait(const struct cl_config *c)
{
	cl_time w = (cl_time)c->hb_timeout + c->watchdog;

	return w + w / 8 + 2 * c->tick;
}

/* The fence agent never confirmed, but the watchdog bound is over. */
static void fence_by_watchdog(struct cl_node *nd, struct cl_out *o)
{
	if (!nd->fence_pending || !nd->cfg->watchdog)
		return;
	if (nd->now < nd->master_since + cl_watchdog_wait(nd->cfg) &&
	    !(nd->cfg->broken & CL_BROKEN_NO_WD_WAIT))
		return;
	nd->fence_pending = false;
	nd->serving = true;
	cl_decide(o, CL_D_FENCE_TIMED, nd->fence_target, nd->term);
	cl_decide(o, CL_D_SERVE, nd->id, nd->term);
}

static void master_tick(struct cl_node *nd, struct cl_out *o)
{
	const struct cl_config *c = nd->cfg;

	if (nd->disk_epoch > nd->term) {
		cl_step_down(nd, CL_STEP_DISK, o);
		return;
	}
	if (nd->now - nd->renew_ok > c->hb_timeout) {
		cl_step_down(nd, CL_STEP_DISK, o);
		return;
	}
	if (!lease_holds(nd)) {
		cl_step_down(nd, CL_STEP_QUORUM, o);
		return;
	}
	if (c->last_man_standing)
		lms_tick(nd, o);
	fence_by_watchdog(nd, o);
}

void cl_elect_tick(struct cl_node *nd, struct cl_out *o)
{
	const struct cl_config *c = nd->cfg;
	unsigned int j, seen = 0;

	if (c->wait_for_all && !nd->wfa_done) {
		for (j = 0; j < c->n; j++)
			seen += j == nd->id ||
				(nd->m[j].heard &&
				 nd->now - nd->m[j].heard <= c->hb_timeout);
		nd->wfa_done = seen == c->n;
	}
	if (nd->now >= nd->next_hb)
		cl_elect_heartbeat(nd, o);
	if (nd->role == CL_MASTER) {
		master_tick(nd, o);
		return;
	}
	/* failure detection of the master: its beats stopped a timeout ago */
	if (nd->master != CL_NONE && nd->master != nd->id &&
	    nd->lost_master != nd->master &&
	    nd->now - nd->master_heard > c->hb_timeout) {
		nd->lost_master = nd->master;
		cl_decide(o, CL_D_MASTER_LOST, nd->master, nd->term);
	}
	/* the disk may have become free since the votes came in */
	check_prevote(nd, o);
	check_votes(nd, o);
	if (nd->now >= nd->elect_at)
		start_prevote(nd, o);
}

static void reply(struct cl_node *nd, struct cl_out *o,
		  const struct cl_wire_msg *m, unsigned int type,
		  uint64_t term, unsigned int a)
{
	struct cl_wire_msg r = { .type = type };

	r.term = term;
	r.seq = m->seq;
	r.a = a;
	cl_send(nd, o, &r, m->src);
}

static void recv_hb(struct cl_node *nd, const struct cl_wire_msg *m,
		    struct cl_out *o)
{
	const struct cl_config *c = nd->cfg;
	unsigned int j;

	if (m->term < nd->term) {
		/* a deposed master: tell it the term has moved on */
		nd->stale_msgs++;
		reply(nd, o, m, CL_MSG_HB_ACK, nd->term, 1);
		return;
	}
	if (m->term > nd->term)
		new_term(nd, m->term, o);
	else if (nd->role == CL_MASTER)
		return;		/* one master per term: cannot be another */
	nd->role = CL_FOLLOWER;
	nd->prevoting = nd->claiming = false;
	if (nd->master != m->src)
		cl_decide(o, CL_D_MASTER_KNOWN, m->src, m->term);
	nd->master = nd->last_master = m->src;
	nd->master_heard = nd->now;
	nd->lost_master = CL_NONE;
	nd->elect_at = nd->now + election_delay(nd, true);
	if (c->last_man_standing)
		nd->expected = m->a;
	/* the master vouches that everyone was there at once */
	if (c->wait_for_all && cl_popcount(m->c) == c->n)
		nd->wfa_done = true;
	if (c->detector == CL_DET_MASTER)
		for (j = 0; j < c->n; j++) {
			if (j == nd->id || nd->m[j].state == CL_M_LEFT)
				continue;
			if (m->c & BIT(j))
				cl_member_set(nd, j, CL_M_ALIVE, nd->m[j].inc,
					      o, false);
			else
				cl_member_set(nd, j, CL_M_DEAD, nd->m[j].inc,
					      o, false);
		}
	cl_service_heard(nd, m->d);
	reply(nd, o, m, CL_MSG_HB_ACK, m->term, 0);
}

static void recv_vote(struct cl_node *nd, const struct cl_wire_msg *m,
		      struct cl_out *o)
{
	bool grant;

	if ((nd->role == CL_MASTER && lease_holds(nd)) ||
	    (nd->role != CL_MASTER && nd->master != CL_NONE &&
	     nd->master != m->src &&
	     nd->now - nd->master_heard <= nd->cfg->hb_timeout)) {
		reply(nd, o, m, CL_MSG_VOTE_RESP, nd->term, 0);
		return;
	}
	if (m->term > nd->term)
		new_term(nd, m->term, o);
	grant = m->term == nd->term &&
		(nd->voted_for == CL_NONE || nd->voted_for == m->src);
	if (grant) {
		nd->voted_for = m->src;
		nd->elect_at = nd->now + election_delay(nd, false);
	} else if (m->term < nd->term) {
		nd->stale_msgs++;
	}
	reply(nd, o, m, CL_MSG_VOTE_RESP, nd->term, grant);
}

/*
 * A lease runs from when the beat was sent, not from when its ack came
 * back: the ack proves the member followed us at some moment after the
 * send, and only that moment is safe to count from.
 */
static void ack(struct cl_node *nd, const struct cl_wire_msg *m)
{
	unsigned int k = m->seq % 8;

	if (nd->hb_sent[k].seq == m->seq && nd->hb_sent[k].at > nd->m[m->src].ack)
		nd->m[m->src].ack = nd->hb_sent[k].at;
}

void cl_elect_recv(struct cl_node *nd, const struct cl_wire_msg *m,
		   struct cl_out *o)
{
	const struct cl_config *c = nd->cfg;
	bool grant;

	switch (m->type) {
	case CL_MSG_HB:
		recv_hb(nd, m, o);
		break;
	case CL_MSG_HB_ACK:
		if (m->a && m->term > nd->term)
			new_term(nd, m->term, o);
		else if (!m->a && nd->role == CL_MASTER && m->term == nd->term)
			ack(nd, m);
		else
			nd->stale_msgs++;
		break;
	case CL_MSG_PREVOTE:
		grant = m->term > nd->term && nd->role != CL_MASTER &&
			(nd->master == CL_NONE ||
			 nd->now - nd->master_heard > c->hb_timeout);
		reply(nd, o, m, CL_MSG_PREVOTE_RESP, m->term, grant);
		break;
	case CL_MSG_PREVOTE_RESP:
		if (nd->prevoting && m->term == nd->term + 1 && m->a) {
			nd->prevotes |= BIT(m->src);
			check_prevote(nd, o);
		}
		break;
	case CL_MSG_VOTE:
		recv_vote(nd, m, o);
		break;
	case CL_MSG_VOTE_RESP:
		if (m->term > nd->term) {
			new_term(nd, m->term, o);
		} else if (nd->role == CL_CANDIDATE && m->term == nd->term) {
			if (m->a)
				nd->votes |= BIT(m->src);
			check_votes(nd, o);
		} else {
			nd->stale_msgs++;
		}
		break;
	}
}

void cl_elect_disk_read(struct cl_node *nd, const struct cl_disk_image *d)
{
	if (!d->header_valid)
		return;
	if (!nd->disk_seen || d->renew != nd->disk_renew ||
	    d->owner != nd->disk_owner || d->epoch != nd->disk_epoch)
		nd->disk_renew_changed = nd->now;
	nd->disk_seen = true;
	nd->disk_read_at = nd->now;
	nd->disk_owner = d->owner;
	nd->disk_epoch = d->epoch;
	nd->disk_renew = d->renew;
	if (!nd->serving)
		nd->data_value = d->data_value;
}

void cl_elect_disk_write(struct cl_node *nd, const struct cl_disk_op *op,
			 int result, struct cl_out *o)
{
	if (op->kind == CL_DISK_SLOT || op->epoch != nd->term)
		return;
	if (result != CL_DISK_OK && result != CL_DISK_IOERR) {
		nd->refused_writes++;
		cl_decide(o, CL_D_WRITE_REFUSED, result, op->epoch);
	}
	switch (op->kind) {
	case CL_DISK_RESERVE:
		if (result == CL_DISK_OK && nd->role == CL_CANDIDATE &&
		    nd->claiming)
			become_master(nd, op->stamp, o);
		break;
	case CL_DISK_RENEW:
	case CL_DISK_DATA:
		if (nd->role != CL_MASTER)
			break;
		/* like acks, a renewal counts from when it was issued */
		if (result == CL_DISK_OK && op->kind == CL_DISK_RENEW &&
		    op->stamp > nd->renew_ok)
			nd->renew_ok = op->stamp;
		else if (result != CL_DISK_OK && result != CL_DISK_IOERR)
			cl_step_down(nd, CL_STEP_DISK, o);	/* fenced */
		break;
	}
}

void cl_elect_fence_done(struct cl_node *nd, unsigned int target, bool ok,
			 struct cl_out *o)
{
	if (nd->role != CL_MASTER || !nd->fence_pending ||
	    target != nd->fence_target || !ok)
		return;
	nd->fence_pending = false;
	nd->serving = true;
	cl_decide(o, CL_D_SERVE, nd->id, nd->term);
}

void cl_elect_leave(struct cl_node *nd, struct cl_out *o)
{
	struct cl_wire_msg m = { .type = CL_MSG_LEAVE };

	cl_step_down(nd, CL_STEP_LEAVE, o);
	m.term = nd->term;
	cl_send_all(nd, o, &m);
	nd->left = true;
}
