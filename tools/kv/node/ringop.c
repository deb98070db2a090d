// SPDX-License-Identifier: GPL-2.0
/*
 * The operator's ring changes on one node ("smpkit-kv join|leave|commit|
 * abort"): a change begins (the next ring, with the node in or out,
 * recorded on disk so that a node restarted in the middle takes it up
 * again), each node catches up on the shards the next ring gives it and
 * says so when asked (ready), then the change is committed -- recorded on
 * disk before the copies this node no longer keeps are dropped -- or
 * abandoned. A node that hears a peer at the next version while ready
 * commits on its own, so a commit that reached only some nodes still
 * completes. Reruns are idempotent: a node that is already where the
 * command would take it says so.
 */
#include <errno.h>
#include <stdio.h>

#include "../cli.h"
#include "daemon.h"

uint32_t kvd_member_mask(const struct kv_ring *r)
{
	uint32_t m = 0;
	unsigned int i;

	for (i = 0; i < KV_MAX_NODES; i++)
		if (r->member[i])
			m |= 1u << i;
	return m;
}

/* The next ring without @id, or with it: 0, or an answer was given. */
static int next_ring(struct daemon *d, const struct sockaddr_in *to,
		     const struct kvw_req *q, struct kv_ring *next)
{
	struct kv_node *n = &d->node;
	uint64_t id = (uint64_t)q->rq.delta;
	bool leave = q->rq.op == KVW_OP_LEAVE;

	if (id >= d->npeers || (leave && n->ring.nmembers == 1 &&
				n->ring.member[id])) {
		kvd_answer(d, to, q->rq.tag, -EINVAL,
			   leave ? "n%llu cannot leave: the last member" :
				   "n%llu cannot join: not a configured peer",
			   (unsigned long long)id);
		return -EINVAL;
	}
	/*
	 * Asked again (a rerun after a failure): a node that committed the
	 * change, or began this very one, says so and the command goes on.
	 */
	if (n->ring.member[id] == !leave) {
		kvd_answer(d, to, q->rq.tag, -EALREADY,
			   leave ? "n%llu is not a member (ring version %u)" :
				   "n%llu is a member already (ring version %u)",
			   (unsigned long long)id, n->ring.version);
		return -EALREADY;
	}
	*next = n->ring;
	if (leave)
		kv_ring_leave(next, id);
	else
		kv_ring_join(next, id);
	if (n->moving && kvd_member_mask(&n->next) == kvd_member_mask(next)) {
		kvd_answer(d, to, q->rq.tag, 0, "ring version %u began already",
			   n->next.version);
		return 1;
	}
	if (n->moving) {
		kvd_answer(d, to, q->rq.tag, -EBUSY,
			   "another ring change, to version %u, is under way",
			   n->next.version);
		return -EBUSY;
	}
	return 0;
}

/*
 * The commit, then the clean-up: the copies this node no longer keeps go
 * from memory and LMDB. The batch so far is sent first, since its dirty
 * list may name entries the clean-up frees.
 */
static long commit_here(struct daemon *d, const char *why)
{
	struct kv_node *n = &d->node;
	long dropped;

	if (kv_disk_put_members(d->disk, kvd_member_mask(&n->next),
				n->next.version))
		return -EIO;
	kvd_flush(d);
	kv_node_move_commit(n);
	dropped = kv_disk_cleanup(d->disk, n);
	fprintf(stderr, "smpkit-kv: n%u: ring version %u committed (%s), %ld copies dropped\n",
		d->self, n->ring.version, why, dropped);
	return dropped < 0 ? -ENOSPC : dropped;
}

static void commit(struct daemon *d, const struct sockaddr_in *to,
		   const struct kvw_req *q)
{
	long dropped = commit_here(d, "told to");

	if (dropped == -EIO)
		kvd_answer(d, to, q->rq.tag, -EIO, "cannot record the new ring");
	else
		kvd_answer(d, to, q->rq.tag, 0,
			   "ring version %u committed, %ld copies dropped%s",
			   d->node.ring.version, dropped < 0 ? 0 : dropped,
			   dropped < 0 ? " (from memory only: the disk refused)" :
					 "");
}

/*
 * A peer committed the change this node is in (kv_node.next_seen): the
 * operator's command got every node ready before any commit, so this
 * node commits too, even when the command's commit never reached it.
 */
void kv_follow_commit(struct daemon *d)
{
	if (!d->node.moving || !d->node.next_seen ||
	    !kv_node_move_ready(&d->node))
		return;
	if (commit_here(d, "a peer committed it") == -EIO)
		d->node.next_seen = false;	/* the next message retries */
	else
		d->followed = true;
}

/*
 * A change no node committed goes away; so do the copies it brought. Its
 * record on disk goes first: left there, a restart would take it up.
 */
static void abort_here(struct daemon *d, const struct sockaddr_in *to,
		       const struct kvw_req *q)
{
	unsigned int version = d->node.next.version;
	long dropped;

	kvd_flush(d);
	if (!d->node.moving) {
		kvd_answer(d, to, q->rq.tag, -EINVAL,
			   "no ring change under way (ring version %u)",
			   d->node.ring.version);
		return;
	}
	if (kv_disk_put_next(d->disk, 0, 0)) {
		kvd_answer(d, to, q->rq.tag, -EIO,
			   "cannot forget ring version %u on disk: %s",
			   version, kv_disk_error(d->disk));
		return;
	}
	kv_node_move_abort(&d->node);
	dropped = kv_disk_cleanup(d->disk, &d->node);
	fprintf(stderr, "smpkit-kv: n%u: ring version %u abandoned, %ld copies dropped\n",
		d->self, version, dropped);
	kvd_answer(d, to, q->rq.tag, 0,
		   "ring version %u abandoned: ring version %u stays",
		   version, d->node.ring.version);
}

/* The operator's join or leave (smpkit-kv join|leave): begin, ready?, commit. */
void kv_ring_change(struct daemon *d, const struct sockaddr_in *to,
		    const struct kvw_req *q)
{
	struct kv_node *n = &d->node;
	static struct kv_ring next;

	switch (q->rq.op) {
	case KVW_OP_JOIN:
	case KVW_OP_LEAVE:
		if (next_ring(d, to, q, &next))
			return;	/* answered */
		/* Recorded first: a node restarted mid-change resumes it. */
		if (kv_disk_put_next(d->disk, kvd_member_mask(&next),
				     next.version)) {
			kvd_answer(d, to, q->rq.tag, -EIO,
				   "cannot record ring version %u: %s",
				   next.version, kv_disk_error(d->disk));
			return;
		}
		kv_node_move_begin(n, kv_now_us(), &next);
		d->followed = false;
		fprintf(stderr, "smpkit-kv: n%u: ring version %u begins (n%lld %s)\n",
			d->self, next.version, (long long)q->rq.delta,
			q->rq.op == KVW_OP_LEAVE ? "leaves" : "joins");
		kvd_answer(d, to, q->rq.tag, 0, "ring version %u begins",
			   next.version);
		return;
	case KVW_OP_READY:
		if (!n->moving)
			kvd_answer(d, to, q->rq.tag, -EINVAL, "no ring change under way");
		else if (!kv_node_move_ready(n))
			kvd_answer(d, to, q->rq.tag, -EAGAIN,
				   "catching up on the shards ring version %u gives it",
				   n->next.version);
		else
			kvd_answer(d, to, q->rq.tag, 0, "caught up");
		return;
	case KVW_OP_ABORT:
		abort_here(d, to, q);
		return;
	default:
		if (!n->moving && d->followed)
			kvd_answer(d, to, q->rq.tag, 0,
				   "ring version %u committed already (on hearing a peer)",
				   n->ring.version);
		else if (!n->moving)
			kvd_answer(d, to, q->rq.tag, -EINVAL,
				   "no ring change under way (ring version %u)",
				   n->ring.version);
		else if (!kv_node_move_ready(n))
			kvd_answer(d, to, q->rq.tag, -EAGAIN,
				   "not caught up with ring version %u yet",
				   n->next.version);
		else
			commit(d, to, q);
	}
}

/*
 * At start, the change recorded as begun here and neither committed nor
 * abandoned is taken up again: without it, the restarted node would
 * neither follow its peers' commit nor hold the shards the next ring
 * gives it. The record must be one join or leave away from the ring at
 * its next version, and name a configured peer; any other (left by a
 * ring stored some other way since, or a shorter --peers) is stale and
 * forgotten.
 */
void kvd_resume_change(struct daemon *d)
{
	struct kv_node *n = &d->node;
	static struct kv_ring next;
	uint32_t mask, version, diff;
	unsigned int id;

	if (kv_disk_get_next(d->disk, &mask, &version))
		return;
	diff = mask ^ kvd_member_mask(&n->ring);
	if (version == n->ring.version + 1 && diff && !(diff & (diff - 1)) &&
	    (id = __builtin_ctz(diff)) < d->npeers) {
		next = n->ring;
		if (mask & diff)
			kv_ring_join(&next, id);
		else
			kv_ring_leave(&next, id);
		if (next.version == version &&
		    !kv_node_move_begin(n, kv_now_us(), &next)) {
			fprintf(stderr, "smpkit-kv: n%u: ring version %u resumes (n%u %s, begun before a restart)\n",
				d->self, version, id,
				mask & diff ? "joins" : "leaves");
			return;
		}
	}
	fprintf(stderr, "smpkit-kv: n%u: a stale ring change record (version %u, ring version %u) forgotten\n",
		d->self, version, n->ring.version);
	if (kv_disk_put_next(d->disk, 0, 0))
		fprintf(stderr, "smpkit-kv: n%u: cannot forget it on disk: %s\n",
			d->self, kv_disk_error(d->disk));
}
