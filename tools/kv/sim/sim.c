// SPDX-License-Identifier: GPL-2.0
/*
 * The simulator's engine: an event heap in virtual time, the network
 * (delay, loss, duplication, partitions), the nemesis (partitions, loss,
 * crashes with restarts, per-node clock skew), and clients that
 * read-modify-write random keys through random nodes, each write (or
 * delete) with the context and time-stamp of its read. Chaos runs for
 * o->chaos, then everything heals and the clients stop; the run ends
 * o->quiet later.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define TICK	10000		/* each node's timer period, us */
#define BASE_WALL 1000000000000ull

void kvsim_opts_default(struct kvsim_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->nodes = 5;
	o->nshards = 16;
	o->n = 3;
	o->keys = 6;
	o->clients = 4;
	o->r = 2;
	o->w = 2;
	o->counters = true;
	o->deletes = 20;
	kv_config_default(&o->cfg, 0);
	/*
	 * Longer than a request lives (its timeout) and far longer than the
	 * longest network delay drawn here (3.2 ms): see reap.c.
	 */
	o->cfg.grace = o->cfg.timeout + 100000;
	o->nemesis = KVSIM_N_ALL;
	o->max_loss = 10;
	o->max_skew = 50000;
	o->chaos = 1500000;
	o->quiet = 2000000;
}

bool kvsim_strict(const struct kvsim_opts *o)
{
	return o->r + o->w > o->n && !o->sloppy;
}

static const char *const nemesis_names[] = {
	"partition", "loss", "dup", "crash", "skew",
};

const char *kvsim_nemesis_names(void)
{
	return "partition,loss,dup,crash,skew, all or none";
}

int kvsim_nemesis_parse(const char *list)
{
	char buf[128], *tok, *save;
	unsigned int i, bits = 0;

	if (!strcmp(list, "all"))
		return KVSIM_N_ALL;
	if (!strcmp(list, "none"))
		return 0;
	if (strlen(list) >= sizeof(buf))
		return -1;
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < 5; i++)
			if (!strcmp(tok, nemesis_names[i]))
				break;
		if (i == 5)
			return -1;
		bits |= 1u << i;
	}
	return bits;
}

void ks_key(unsigned int k, char *buf, uint8_t *len)
{
	*len = snprintf(buf, KV_KEY_MAX, k == KVSIM_CTR ? "ctr" :
			k == KVSIM_SET ? "set" : "k%u", k);
}

/* heap of events by (t, seq) */
static bool before(const struct kev *a, const struct kev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static struct kev *push(struct ksim *s, kv_time t, unsigned int kind,
			unsigned int node)
{
	struct kev *e = calloc(1, sizeof(*e)), *tmp;
	unsigned int i;

	if (!e)
		abort();
	if (s->nheap == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->heap = realloc(s->heap, s->cap * sizeof(*s->heap));
		if (!s->heap)
			abort();
	}
	e->t = t;
	e->seq = s->seq++;
	e->kind = kind;
	e->node = node;
	i = s->nheap++;
	s->heap[i] = e;
	while (i && before(s->heap[i], s->heap[(i - 1) / 2])) {
		tmp = s->heap[i];
		s->heap[i] = s->heap[(i - 1) / 2];
		s->heap[(i - 1) / 2] = tmp;
		i = (i - 1) / 2;
	}
	return e;
}

static struct kev *pop(struct ksim *s)
{
	struct kev *top, *tmp;
	unsigned int i = 0, c;

	if (!s->nheap)
		return NULL;
	top = s->heap[0];
	s->heap[0] = s->heap[--s->nheap];
	for (;;) {
		c = 2 * i + 1;
		if (c >= s->nheap)
			break;
		if (c + 1 < s->nheap && before(s->heap[c + 1], s->heap[c]))
			c++;
		if (!before(s->heap[c], s->heap[i]))
			break;
		tmp = s->heap[i];
		s->heap[i] = s->heap[c];
		s->heap[c] = tmp;
		i = c;
	}
	return top;
}

static uint64_t wall(struct ksim *s, unsigned int i)
{
	return BASE_WALL + s->now + s->node[i].skew;
}

static void send(struct ksim *s, const struct kv_msg *m)
{
	unsigned int copies = 1, c;
	struct kev *e;

	if (m->dst >= s->o.nodes)
		return;
	if (m->dst != m->src) {
		if (ks_pct(s, s->loss))
			return;
		if (ks_pct(s, s->dup))
			copies = 2;
	}
	for (c = 0; c < copies; c++) {
		e = push(s, s->now + 200 + ks_below(s, 3000), KEV_DELIVER,
			 m->dst);
		e->msg = malloc(sizeof(*m));
		if (!e->msg)
			abort();
		memcpy(e->msg, m, offsetof(struct kv_msg, obj));
		kv_obj_copy(&e->msg->obj, &m->obj);
	}
}

static void client_done(struct ksim *s, unsigned int c,
			const struct kv_reply *r);

/* Send what the step produced; hand replies to their clients. */
static void flush(struct ksim *s)
{
	unsigned int i;

	for (i = 0; i < s->out.nmsg; i++)
		send(s, &s->out.msg[i]);
	for (i = 0; i < s->out.nrep; i++)
		client_done(s, s->out.rep[i].tag >> 32, &s->out.rep[i]);
	kv_out_reset(&s->out);
}

/* clients */
static void client_next(struct ksim *s, unsigned int c, kv_time after)
{
	struct kev *e;

	if (s->cl[c].stopped)
		return;
	e = push(s, s->now + after, KEV_CLIENT, 0);
	e->arg = c;
}

static unsigned int pick_up_node(struct ksim *s)
{
	unsigned int i, start = ks_below(s, s->o.nodes);

	for (i = 0; i < s->o.nodes; i++)
		if (s->node[(start + i) % s->o.nodes].up)
			return (start + i) % s->o.nodes;
	return KV_NONE;
}

static void client_issue(struct ksim *s, unsigned int c)
{
	struct kclient *cl = &s->cl[c];
	struct kv_request rq;
	struct kev *e;
	unsigned int node = pick_up_node(s);
	uint32_t v;

	if (cl->stopped)
		return;
	if (node == KV_NONE) {
		client_next(s, c, 20000);
		return;
	}
	memset(&rq, 0, sizeof(rq));
	rq.r = s->o.r;
	rq.w = s->o.w;
	rq.sloppy = s->o.sloppy;
	if (!cl->busy) {
		/* a new operation: a CRDT update, or a read-modify-write */
		cl->busy = true;
		cl->start = s->now;
		cl->set_op = 0;
		cl->ctr_delta = 0;
		if (s->o.counters && ks_pct(s, 30)) {
			cl->reading = false;
			if (ks_pct(s, 66)) {
				cl->key = KVSIM_CTR;
				cl->ctr_delta = 1 + ks_below(s, 3);
			} else {
				cl->key = KVSIM_SET;
				cl->set_op = ks_pct(s, 60) ? KV_OP_SADD :
					     KV_OP_SREM;
				snprintf(cl->elem, sizeof(cl->elem), "e%u",
					 (unsigned int)ks_below(s, 4));
			}
		} else {
			cl->key = ks_below(s, s->o.keys);
			cl->reading = true;
		}
	}
	ks_key(cl->key, rq.key, &rq.klen);
	if (cl->ctr_delta) {
		rq.op = KV_OP_COUNTER;
		rq.delta = cl->ctr_delta;
		s->ctr_tried += cl->ctr_delta;
	} else if (cl->set_op) {
		rq.op = cl->set_op;
		strcpy(rq.elem, cl->elem);
	} else if (cl->reading) {
		rq.op = KV_OP_GET;
	} else {
		/*
		 * A delete is a put of a tombstone; it carries a unique value
		 * too, so that the checker can tell which write a read saw.
		 */
		rq.op = ks_pct(s, s->o.deletes) ? KV_OP_DEL : KV_OP_PUT;
		kv_obj_context(&cl->read, &rq.ctx);
		rq.ctx_ts = kv_obj_maxts(&cl->read);
		v = ++s->next_val;
		memcpy(rq.val, &v, sizeof(v));
		rq.vlen = sizeof(v);
		if (s->nw < KVSIM_MAX_WRITES) {
			struct kwrite *w = &s->w[s->nw++];

			memset(w, 0, sizeof(*w));
			w->key = cl->key;
			w->client = c;
			w->start = cl->start;
			w->val = v;
			w->del = rq.op == KV_OP_DEL;
			w->ctx = rq.ctx;
		}
	}
	cl->seq++;
	rq.tag = (uint64_t)c << 32 | cl->seq;
	s->st.ops++;
	ks_hist(s, "c%u -> n%u %s %s", c, node,
		rq.op == KV_OP_GET ? "get" : rq.op == KV_OP_PUT ? "put" :
		rq.op == KV_OP_DEL ? "del" :
		rq.op == KV_OP_COUNTER ? "ctr" : "set",
		rq.key);
	kv_node_request(s->node[node].core, s->now, wall(s, node), &rq,
			&s->out);
	flush(s);
	/* the coordinator may crash: the client gives up on its own */
	e = push(s, s->now + s->o.cfg.timeout + 100000, KEV_CLIENT_TIMEOUT, 0);
	e->arg = c << 16 | (cl->seq & 0xffff);
}

static struct kwrite *last_write(struct ksim *s, unsigned int c)
{
	unsigned int i;

	for (i = s->nw; i-- > 0;)
		if (s->w[i].client == c)
			return &s->w[i];
	return NULL;
}

static void client_done(struct ksim *s, unsigned int c,
			const struct kv_reply *r)
{
	struct kclient *cl = &s->cl[c];
	struct kwrite *w;

	if (c >= s->o.clients || (uint32_t)r->tag != cl->seq || !cl->busy)
		return;		/* a reply the client gave up on */
	ks_hist(s, "c%u <- %s%d", c, r->err ? "err " : "ok ", r->err);
	if (r->err) {
		s->st.failed++;
		s->st.stale += r->err == -ESTALE;
		/* a failed read is retried; a failed write may still land */
		if (cl->ctr_delta || cl->set_op || !cl->reading) {
			s->st.indeterminate++;
			cl->busy = false;
		}
		client_next(s, c, 5000 + ks_below(s, 20000));
		return;
	}
	s->st.acked++;
	if (!cl->ctr_delta && !cl->set_op && cl->reading) {
		/* a retried read keeps the first start: a weaker check */
		if (kvsim_strict(&s->o))
			ks_check_read(s, cl->key, cl->start, &r->obj, "read");
		s->st.reads_checked++;
		kv_obj_copy(&cl->read, &r->obj);
		cl->reading = false;
		client_issue(s, c);
		return;
	}
	if (cl->ctr_delta) {
		s->ctr_acked += cl->ctr_delta;
	} else if (!cl->set_op) {
		w = last_write(s, c);
		if (w) {
			w->acked = true;
			w->ack = s->now;
			w->dot = r->dot;
			s->st.deletes += w->del;
		}
	}
	cl->busy = false;
	client_next(s, c, 1000 + ks_below(s, 10000));
}

static void client_timeout(struct ksim *s, unsigned int arg)
{
	unsigned int c = arg >> 16;
	struct kclient *cl = &s->cl[c];

	if (!cl->busy || (cl->seq & 0xffff) != (arg & 0xffff))
		return;
	s->st.indeterminate++;
	cl->seq++;		/* a late reply no longer matches */
	cl->busy = false;
	client_next(s, c, 1000);
}

/* nemesis */
static void crash(struct ksim *s, unsigned int i)
{
	if (!s->node[i].up)
		return;
	s->node[i].up = false;
	kv_node_crash(s->node[i].core);
	s->st.crashes++;
	ks_hist(s, "crash n%u", i);
	push(s, s->now + 50000 + ks_below(s, 400000), KEV_RESTART, i);
}

static void nemesis(struct ksim *s)
{
	unsigned int bits = s->o.nemesis, i, pick;

	if (s->healed)
		return;
	pick = ks_below(s, 4);
	if (pick == 0 && (bits & KVSIM_N_PARTITION)) {
		for (i = 0; i < s->o.nodes; i++)
			s->node[i].group = ks_below(s, 2);
		s->st.partitions++;
		ks_hist(s, "partition");
	} else if (pick == 1) {
		for (i = 0; i < s->o.nodes; i++)
			s->node[i].group = 0;
		ks_hist(s, "partition healed");
	} else if (pick == 2 && (bits & KVSIM_N_CRASH)) {
		crash(s, ks_below(s, s->o.nodes));
	}
	push(s, s->now + 50000 + ks_below(s, 250000), KEV_NEMESIS, 0);
}

static void heal(struct ksim *s)
{
	unsigned int i, div = 0;

	s->healed = true;
	s->heal_at = s->now;
	s->loss = s->dup = 0;
	for (i = 0; i < s->o.nodes; i++) {
		s->node[i].group = 0;
		if (!s->node[i].up) {
			s->node[i].up = true;
			push(s, s->now + TICK, KEV_TICK, i);
		}
	}
	for (i = 0; i < s->o.clients; i++)
		s->cl[i].stopped = true;
	ks_converged(s, &div);
	s->st.divergent_at_heal = div;
	ks_hist(s, "heal: %u keys divergent", div);
	push(s, s->now + 10000, KEV_PROBE, 0);
}

/* The last node joins or leaves: every node learns the next ring at once. */
static void move(struct ksim *s, bool leave)
{
	unsigned int i;

	s->next = s->ring;
	if (leave)
		kv_ring_leave(&s->next, s->o.nodes - 1);
	else
		kv_ring_join(&s->next, s->o.nodes - 1);
	for (i = 0; i < s->o.nodes; i++)
		kv_node_move_begin(s->node[i].core, s->now, &s->next);
	s->moving = true;
	s->move_began = s->now;
	ks_hist(s, "n%u %s: ring version %u begins", s->o.nodes - 1,
		leave ? "leaves" : "joins", s->next.version);
	push(s, s->now + 10000, KEV_MOVE_CHECK, 0);
}

/*
 * Commit once every node the change gives shards has caught up (the
 * operator's "ready?"): the joiner, or the leaver's heirs. The operator
 * then tells the nodes one after another, as the daemon's join does:
 * each commits within the next 50 ms (slower than on loopback, to keep
 * more requests crossing the commit).
 */
static void move_check(struct ksim *s)
{
	unsigned int i;

	for (i = 0; i < s->o.nodes; i++)
		if (s->next.member[i] &&
		    (!s->node[i].up || !kv_node_move_ready(s->node[i].core))) {
			push(s, s->now + 10000, KEV_MOVE_CHECK, 0);
			return;
		}
	s->to_commit = s->o.nodes;
	for (i = 0; i < s->o.clients; i++)
		s->st.crossing += s->cl[i].busy;
	for (i = 0; i < s->o.nodes; i++)
		push(s, s->now + ks_below(s, 50000), KEV_COMMIT, i);
}

/* One node commits and drops the copies it no longer keeps. */
static void commit(struct ksim *s, unsigned int i)
{
	kv_node_move_commit(s->node[i].core);
	s->st.dropped += kv_node_cleanup(s->node[i].core, NULL, NULL);
	ks_hist(s, "n%u commits ring version %u", i, s->next.version);
	if (--s->to_commit)
		return;
	s->ring = s->next;
	s->moving = false;
	s->st.move = s->now - s->move_began;
	/* the joiner's copies; the leaver's after the clean-up */
	s->st.moved_keys = s->node[s->o.nodes - 1].core->nkeys;
	ks_hist(s, "ring version %u committed after %.1f ms, %llu copies dropped",
		s->ring.version, s->st.move / 1000.0,
		(unsigned long long)s->st.dropped);
}

static void deliver(struct ksim *s, struct kev *e)
{
	struct kv_msg *m = e->msg;
	struct knode *d = &s->node[m->dst];

	if (!d->up || (!s->healed && m->src != m->dst &&
		       d->group != s->node[m->src].group))
		return;
	kv_node_recv(d->core, s->now, wall(s, m->dst), m, &s->out);
	flush(s);
}

static void step(struct ksim *s, struct kev *e)
{
	unsigned int div;

	switch (e->kind) {
	case KEV_DELIVER:
		deliver(s, e);
		break;
	case KEV_TICK:
		if (!s->node[e->node].up)
			break;
		kv_node_tick(s->node[e->node].core, s->now,
			     wall(s, e->node), &s->out);
		flush(s);
		push(s, s->now + TICK, KEV_TICK, e->node);
		break;
	case KEV_CLIENT:
		client_issue(s, e->arg);
		break;
	case KEV_CLIENT_TIMEOUT:
		client_timeout(s, e->arg);
		break;
	case KEV_NEMESIS:
		nemesis(s);
		break;
	case KEV_RESTART:
		if (!s->node[e->node].up && !s->healed) {
			s->node[e->node].up = true;
			ks_hist(s, "restart n%u", e->node);
			push(s, s->now + TICK, KEV_TICK, e->node);
		}
		break;
	case KEV_HEAL:
		heal(s);
		break;
	case KEV_JOIN:
		move(s, e->node);
		break;
	case KEV_MOVE_CHECK:
		move_check(s);
		break;
	case KEV_COMMIT:
		commit(s, e->node);
		break;
	case KEV_PROBE:
		if (!s->st.converge && ks_converged(s, &div))
			s->st.converge = s->now - s->heal_at + 1;
		else if (!s->st.converge)
			push(s, s->now + 10000, KEV_PROBE, 0);
		break;
	}
}

static void collect(struct ksim *s)
{
	const struct kv_stats *st;
	unsigned int i;

	for (i = 0; i < s->o.nodes; i++) {
		st = &s->node[i].core->st;
		s->st.reads += st->reads;
		s->st.writes += st->writes;
		s->st.read_repairs += st->read_repairs;
		s->st.write_repairs += st->write_repairs;
		s->st.ae_hashes += st->ae_hashes;
		s->st.ae_pushed += st->ae_pushed;
		s->st.hints_stored += st->hints_stored;
		s->st.hints_done += st->hints_done;
		s->st.sloppy += st->sloppy;
		s->st.full += st->full;
		if (st->max_sibs > s->st.max_sibs)
			s->st.max_sibs = st->max_sibs;
		s->st.reaps_begun += st->reaps_begun;
		s->st.reaped += st->reaped;
		s->st.purged += st->purged_copies + st->purged_hints;
	}
}

/*
 * A run's nodes are megabytes (their request and hint slots hold whole
 * objects): the next run takes the last one's, whose pages are mapped
 * already, instead of faulting fresh ones in for every seed.
 */
static struct kv_node *spare[KV_MAX_NODES];

static struct kv_node *node_alloc(unsigned int i)
{
	struct kv_node *n = spare[i];

	spare[i] = NULL;
	return n ? n : malloc(sizeof(*n));
}

static void node_release(unsigned int i, struct kv_node *n)
{
	kv_node_free(n);
	if (spare[i])
		free(n);
	else
		spare[i] = n;
}

void kvsim_run(const struct kvsim_opts *o, uint64_t seed,
	       struct kvsim_result *r, FILE *hist)
{
	struct ksim *s = calloc(1, sizeof(*s));
	struct kv_config cfg;
	unsigned int i;
	struct kev *e;

	memset(r, 0, sizeof(*r));
	if (!s || o->nodes < 1u + !!o->join_at + !!o->leave_at ||
	    (o->join_at && o->leave_at) || o->nodes > KV_MAX_NODES ||
	    o->clients > KVSIM_MAX_CLIENTS || o->keys > 200 ||
	    o->deletes > 100 ||
	    kv_ring_init(&s->ring, o->nshards, o->n)) {
		snprintf(r->why, sizeof(r->why), "bad options");
		free(s);
		return;
	}
	s->o = *o;
	s->rng = seed * 0x9e3779b97f4a7c15ull + 1;
	/* with a join, the last node runs from the start outside the ring */
	for (i = 0; i < o->nodes - (o->join_at ? 1 : 0); i++)
		kv_ring_join(&s->ring, i);
	if (o->nemesis & KVSIM_N_LOSS)
		s->loss = ks_below(s, o->max_loss + 1);
	if (o->nemesis & KVSIM_N_DUP)
		s->dup = ks_below(s, 5);
	for (i = 0; i < o->nodes; i++) {
		cfg = o->cfg;
		cfg.self = i;
		cfg.nodes = o->nodes;
		s->node[i].core = node_alloc(i);
		if (!s->node[i].core ||
		    kv_node_init(s->node[i].core, &cfg, &s->ring))
			abort();
		s->node[i].up = true;
		if (o->nemesis & KVSIM_N_SKEW)
			s->node[i].skew = (int64_t)ks_below(s, 2 * o->max_skew + 1) -
					  (int64_t)o->max_skew;
		push(s, ks_below(s, TICK), KEV_TICK, i);
	}
	for (i = 0; i < o->clients; i++)
		client_next(s, i, ks_below(s, 10000));
	push(s, 100000, KEV_NEMESIS, 0);
	push(s, o->chaos, KEV_HEAL, 0);
	if (o->join_at)
		push(s, o->join_at, KEV_JOIN, 0);
	if (o->leave_at)
		push(s, o->leave_at, KEV_JOIN, 1);
	s->end = o->chaos + o->quiet;
	while ((e = pop(s))) {
		/*
		 * The messages already sent still arrive (they take at most
		 * 3.2 ms), and what they send within the next 10 ms: the end
		 * check must not catch a step, such as a reap, half-way.
		 */
		if ((e->t > s->end &&
		     (e->kind != KEV_DELIVER || e->t > s->end + 10000)) ||
		    s->failed) {
			free(e->msg);
			free(e);
			continue;
		}
		s->now = e->t;
		s->st.events++;
		step(s, e);
		free(e->msg);
		free(e);
	}
	s->now = s->end;
	if (!s->failed && s->moving)
		ks_fail(s, "the ring change begun at %.0f ms never committed",
			s->move_began / 1000.0);
	if (!s->failed)
		ks_check_end(s);
	collect(s);
	r->ok = !s->failed;
	memcpy(r->why, s->why, sizeof(r->why));
	r->st = s->st;
	if (!r->ok && hist)
		for (i = s->nhist > KVSIM_HIST ? s->nhist - KVSIM_HIST : 0;
		     i < s->nhist; i++)
			fprintf(hist, "  %s\n", s->hist[i % KVSIM_HIST]);
	for (i = 0; i < o->nodes; i++)
		node_release(i, s->node[i].core);
	free(s->heap);
	free(s);
}
