// SPDX-License-Identifier: GPL-2.0
/*
 * The simulator's engine: a heap of timed events, one seeded PRNG, and
 * the drivers' duties done in memory — deliver datagrams (or lose, delay,
 * duplicate them), apply disk writes to one shared image through the
 * core's own device logic, carry out power fencing, crash and restart
 * nodes, hold back a paused node's events, and give every node a clock
 * that runs at its own skewed rate. The checker runs after every event.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static struct sev spare;	/* handed out when the pool is exhausted */

#define BIT8(k)	(1u << (k))

static bool before(const struct sim *s, unsigned int a, unsigned int b)
{
	const struct sev *x = &s->ev[a], *y = &s->ev[b];

	return x->t < y->t || (x->t == y->t && x->seq < y->seq);
}

static void heap_swap(struct sim *s, unsigned int a, unsigned int b)
{
	uint16_t t = s->heap[a];

	s->heap[a] = s->heap[b];
	s->heap[b] = t;
}

struct sev *sim_push(struct sim *s, cl_time t, unsigned int kind,
		     unsigned int node)
{
	unsigned int i, p, idx;
	struct sev *e;

	if (!s->nfree) {
		sim_fail(s, "event pool exhausted (%d pending)", SIM_MAX_EVENTS);
		return &spare;
	}
	idx = s->free[--s->nfree];
	e = &s->ev[idx];
	e->t = t;
	e->seq = s->seq++;
	e->kind = kind;
	e->node = node;
	e->gen = s->node[node].gen;
	i = s->nheap++;
	s->heap[i] = idx;
	while (i && before(s, s->heap[i], s->heap[p = (i - 1) / 2])) {
		heap_swap(s, i, p);
		i = p;
	}
	return e;
}

static unsigned int heap_pop(struct sim *s)
{
	unsigned int top = s->heap[0], i = 0, l, m;

	s->heap[0] = s->heap[--s->nheap];
	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < s->nheap && before(s, s->heap[l], s->heap[m]))
			m = l;
		if (l + 1 < s->nheap && before(s, s->heap[l + 1], s->heap[m]))
			m = l + 1;
		if (m == i)
			break;
		heap_swap(s, i, m);
		i = m;
	}
	return top;
}

static cl_time local(const struct snode *n, cl_time t)
{
	return t + n->clk_off + (int64_t)t * n->ppm / 1000000;
}

/* The first global time at which the node's clock reads @l. */
static cl_time global(const struct snode *n, cl_time l)
{
	int64_t g = ((int64_t)l - n->clk_off) * 1000000 / (1000000 + n->ppm);

	if (g < 0)
		g = 0;
	while (local(n, g) < l)
		g++;
	return g;
}

bool sim_reachable(const struct sim *s, unsigned int a, unsigned int b)
{
	return s->node[a].group == s->node[b].group;
}

static cl_time net_delay(struct sim *s)
{
	return 100 + sim_below(s, s->jitter);
}

static cl_time disk_delay(struct sim *s)
{
	if (s->stall) {
		s->stall--;
		return s->cfg.hb_timeout + sim_below(s, s->cfg.hb_timeout);
	}
	return 200 + sim_below(s, 800);
}

static void send(struct sim *s, unsigned int i, const struct cl_msg *m)
{
	unsigned int j = m->dst, copies;
	struct sev *e;

	if (j >= s->cfg.n || !sim_reachable(s, i, j) || sim_pct(s, s->loss))
		return;
	copies = 1 + (s->dup && sim_pct(s, s->dup));
	while (copies--) {
		e = sim_push(s, s->now + net_delay(s), SEV_DELIVER, j);
		e->src = i;
		e->len = m->len;
		memcpy(e->u.buf, m->buf, m->len);
	}
}

/*
 * The new primary reads the journal from the update after its own copy's
 * last one and applies each: a hot stand-by's copy is a tick behind at
 * most, a cold one's as old as its last time as primary (or empty).
 */
static void catch_up(struct sim *s, unsigned int i, unsigned int p)
{
	uint32_t behind;
	struct sev *e;

	if (p >= CL_MAX_PARTS)
		return;
	behind = s->jlen[p] - s->applied[i][p];
	s->catch_at[i][p] = s->now;
	s->st.replayed += behind;
	e = sim_push(s, s->now + disk_delay(s) +
		     (cl_time)behind * s->o.replay_us, SEV_CAUGHT_UP, i);
	e->target = p;
	e->result = s->jlen[p];
	/* names the catch-up it answers: an older one's answer is stale */
	memcpy(e->u.buf, &s->catch_at[i][p], sizeof(cl_time));
}

/*
 * The service's load: each tick a primary journals o.ops updates to
 * every partition it serves; a hot stand-by applies what the others
 * journaled as it reads the journal, every tick.
 */
static void journal(struct sim *s, unsigned int i)
{
	struct cl_node *nd = &s->node[i].core;
	unsigned int p;

	for (p = 0; p < s->cfg.partitions; p++) {
		if (nd->serving_parts & BIT8(p)) {
			s->jlen[p] += s->o.ops;
			s->applied[i][p] += s->o.ops;
		} else if (s->cfg.standby == CL_SB_HOT &&
			   !(nd->catching_parts & BIT8(p))) {
			s->applied[i][p] = s->jlen[p];
		}
	}
}

static void apply(struct sim *s, unsigned int i)
{
	struct snode *sn = &s->node[i];
	struct cl_out *o = &s->out;
	struct sev *e;
	unsigned int k;
	cl_time g;

	if (o->persist)
		cl_node_persist(&sn->core, &sn->persist);
	for (k = 0; k < o->nmsg; k++)
		send(s, i, &o->msg[k]);
	for (k = 0; k < o->nwrite; k++) {
		if (sn->disk_fail_until > s->now) {
			e = sim_push(s, s->now + 1000, SEV_DISK_DONE, i);
			e->result = CL_DISK_IOERR;
		} else {
			e = sim_push(s, s->now + disk_delay(s), SEV_DISK_APPLY,
				     i);
		}
		e->u.op = o->write[k];
	}
	if (o->disk_read)
		sim_push(s, s->now + disk_delay(s), SEV_DISK_READ, i);
	for (k = 0; k < o->ndec; k++) {
		sim_check_decision(s, i, &o->dec[k]);
		if (o->dec[k].type == CL_D_CATCH_UP)
			catch_up(s, i, o->dec[k].a);
		/* with watchdogs the cluster has no power-fence agent */
		if (o->dec[k].type == CL_D_FENCE_POWER && !s->cfg.watchdog) {
			e = sim_push(s, s->now + 5000 + sim_below(s, 10000),
				     SEV_FENCE, i);
			e->target = o->dec[k].a;
		}
	}
	if (!o->wake)
		return;
	g = global(sn, o->wake);
	if (g < s->now)
		g = s->now;
	if (!sn->timer_set || g < sn->timer_at) {
		sn->timer_set = true;
		sn->timer_at = g;
		sim_push(s, g, SEV_TIMER, i);
	}
}

static void run_node(struct sim *s, unsigned int i, const struct cl_event *ev)
{
	struct snode *sn = &s->node[i];

	sn->ran_at = s->now;
	/* a follower adopts its master's expected votes without a decision */
	sn->expected = sn->core.expected;
	if (ev->type == CL_EV_TICK || ev->type == CL_EV_START)
		sn->petted = s->now;
	cl_node_step(&sn->core, local(sn, s->now), ev, &s->out);
	s->st.steps++;
	apply(s, i);
	if (ev->type == CL_EV_TICK && s->cfg.standby != CL_SB_NONE)
		journal(s, i);
}

void sim_crash(struct sim *s, unsigned int i, cl_time restart_after)
{
	struct snode *sn = &s->node[i];
	unsigned int k;

	if (!sn->up)
		return;
	sn->up = false;
	sn->gen++;
	sn->timer_set = false;
	sn->disturbed = sn->down_at = s->now;
	sn->was_master = sn->core.role == CL_MASTER;
	for (k = 0; k < CL_MAX_PARTS; k++)
		if (sn->core.serving_parts & BIT8(k) && !s->part_lost_at[k])
			s->part_lost_at[k] = s->now + 1;
	if (sn->was_master && !s->master_lost_at)
		s->master_lost_at = s->now;
	sn->death_seen = false;
	sn->nomq_since = 0;
	memset(s->applied[i], 0, sizeof(s->applied[i]));	/* in memory */
	sim_push(s, s->now + restart_after, SEV_RESTART, i);
}

/*
 * The watchdog kills a node that has not ticked for cfg.watchdog on its
 * own clock, which runs ppm fast or slow. Pauses are the only way a
 * simulated node stops running, so the nemesis arms this at each one.
 */
static cl_time watchdog_due(const struct sim *s, const struct snode *sn)
{
	return sn->petted + (cl_time)s->cfg.watchdog * 1000000 /
			    (1000000 + sn->ppm);
}

void sim_watchdog_arm(struct sim *s, unsigned int i)
{
	cl_time t = watchdog_due(s, &s->node[i]);

	if (s->cfg.watchdog && t < s->node[i].paused_until)
		sim_push(s, t > s->now ? t : s->now, SEV_WATCHDOG, i);
}

static void restart(struct sim *s, unsigned int i)
{
	struct snode *sn = &s->node[i];
	struct cl_event ev = { .type = CL_EV_START };

	sn->up = true;
	sn->paused_until = 0;
	sn->disturbed = s->now;
	cl_node_init(&sn->core, &s->cfg, i, &sn->persist, sim_rand(s));
	sim_hist(s, "n%u starts (term %llu)", i,
		 (unsigned long long)sn->persist.term);
	run_node(s, i, &ev);
}

static void script(struct sim *s, const struct sim_script *a)
{
	unsigned int i;

	switch (a->act) {
	case SIM_ACT_CRASH:
		sim_hist(s, "script: n%u crashes for good", a->node);
		sim_crash(s, a->node, s->end + 1);
		break;
	case SIM_ACT_ISOLATE:
		sim_hist(s, "script: n%u isolated", a->node);
		for (i = 0; i < s->cfg.n; i++)
			s->node[i].group = i == a->node;
		s->disturbed = s->now;
		break;
	}
}

/* Events of the world itself, not addressed to a running node. */
static bool world_event(struct sim *s, struct sev *e)
{
	struct sev *d;
	struct snode *sn;
	bool enforce = !(s->cfg.broken & CL_BROKEN_NO_FENCE);

	switch (e->kind) {
	case SEV_NEMESIS:
		sim_nemesis(s);
		return true;
	case SEV_HEAL:
		sim_heal(s);
		return true;
	case SEV_SCRIPT:
		script(s, &s->o.script[e->src]);
		return true;
	case SEV_RESTART:
		if (!s->node[e->node].up && e->gen == s->node[e->node].gen)
			restart(s, e->node);
		return true;
	case SEV_DISK_APPLY:
		d = sim_push(s, s->now + disk_delay(s), SEV_DISK_DONE, e->node);
		d->gen = e->gen;
		d->u.op = e->u.op;
		d->result = cl_disk_apply(&s->disk, &e->u.op, enforce);
		sim_check_write(s, &e->u.op, d->result);
		return true;
	case SEV_WATCHDOG:
		sn = &s->node[e->node];
		if (sn->up && e->gen == sn->gen && sn->paused_until > s->now &&
		    s->now >= watchdog_due(s, sn)) {
			sim_hist(s, "watchdog kills n%u (%s), stuck since %llu ms",
				 e->node, cl_role_name(sn->core.role),
				 (unsigned long long)sn->petted / 1000);
			s->st.wd_kills++;
			sim_crash(s, e->node, 200000 + sim_below(s, 800000));
		}
		return true;
	case SEV_FENCE:
		/* the power switch is out of band: partitions do not stop it */
		if (s->node[e->target].up) {
			sim_hist(s, "agent powers off n%u for n%u", e->target,
				 e->node);
			s->st.fences++;
			sim_crash(s, e->target, 200000 + sim_below(s, 800000));
		}
		d = sim_push(s, s->now + 2000, SEV_FENCE_DONE, e->node);
		d->gen = e->gen;
		d->target = e->target;
		return true;
	}
	return false;
}

static void step(struct sim *s, struct sev *e)
{
	struct snode *sn = &s->node[e->node];
	struct cl_event ev = { 0 };
	struct sev *r;

	if (world_event(s, e))
		return;
	if (!sn->up || e->gen != sn->gen)
		return;
	if (sn->paused_until > s->now) {
		/* too busy to run: everything waits until it resumes */
		r = sim_push(s, sn->paused_until, e->kind, e->node);
		memcpy(&r->gen, &e->gen, sizeof(*e) - offsetof(struct sev, gen));
		r->src = e->src;
		r->len = e->len;
		r->target = e->target;
		if (e->kind == SEV_TIMER && sn->timer_set && e->t == sn->timer_at)
			sn->timer_at = sn->paused_until;
		return;
	}
	switch (e->kind) {
	case SEV_DELIVER:
		if (!sim_reachable(s, e->src, e->node))
			return;
		ev.type = CL_EV_RECV;
		ev.buf = e->u.buf;
		ev.len = e->len;
		break;
	case SEV_TIMER:
		if (!sn->timer_set || e->t != sn->timer_at)
			return;
		sn->timer_set = false;
		ev.type = CL_EV_TICK;
		break;
	case SEV_DISK_DONE:
		ev.type = CL_EV_DISK_WRITE;
		ev.op = &e->u.op;
		ev.result = e->result;
		break;
	case SEV_DISK_READ:
		ev.type = CL_EV_DISK_READ;
		ev.disk = sn->disk_fail_until > s->now ? NULL : &s->disk;
		break;
	case SEV_FENCE_DONE:
		ev.type = CL_EV_FENCE_DONE;
		ev.target = e->target;
		ev.ok = true;
		break;
	case SEV_CAUGHT_UP:
		if (e->target >= CL_MAX_PARTS ||
		    memcmp(e->u.buf, &s->catch_at[e->node][e->target],
			   sizeof(cl_time)))
			return;
		/* the copy now holds what the journal held when it began */
		if ((uint32_t)e->result > s->applied[e->node][e->target])
			s->applied[e->node][e->target] = e->result;
		sim_check_caught(s, e->node, e->target);
		ev.type = CL_EV_CAUGHT_UP;
		ev.target = e->target;
		break;
	default:
		return;
	}
	run_node(s, e->node, &ev);
}

void sim_opts_default(struct sim_opts *o, unsigned int n)
{
	memset(o, 0, sizeof(*o));
	cl_config_default(&o->cfg, n);
	o->vary = true;
	o->nemesis = SIM_N_ALL;
	o->max_loss = 5;
	o->chaos = 6000000;
	o->heal = 6000000;
	o->ops = 10;
	o->replay_us = 5;
}

static void reset(struct sim *s, const struct sim_opts *o, uint64_t seed)
{
	unsigned int i;

	s->o = *o;
	s->cfg = o->cfg;
	s->rng = (seed + 1) * 0x9e3779b97f4a7c15ULL;
	if (!s->rng)
		s->rng = 1;
	s->now = 0;
	s->seq = 0;
	s->healed = s->converged = false;
	s->stall = 0;
	s->disturbed = 0;
	s->master_lost_at = s->beats_lost_at = 0;
	memset(s->part_lost_at, 0, sizeof(s->part_lost_at));
	memset(s->jlen, 0, sizeof(s->jlen));
	memset(s->applied, 0, sizeof(s->applied));
	memset(s->catch_at, 0, sizeof(s->catch_at));
	s->nheap = 0;
	s->nfree = SIM_MAX_EVENTS;
	for (i = 0; i < SIM_MAX_EVENTS; i++)
		s->free[i] = SIM_MAX_EVENTS - 1 - i;
	s->failed = false;
	s->why[0] = 0;
	s->nhist = 0;
	memset(s->terms, 0, sizeof(s->terms));
	memset(s->seen, 0, sizeof(s->seen));
	memset(s->disk_held, 0, sizeof(s->disk_held));
	memset(&s->st, 0, sizeof(s->st));
	memset(s->node, 0, sizeof(s->node));
}

void sim_run(const struct sim_opts *o, uint64_t seed, struct sim_result *r,
	     FILE *hist)
{
	static struct sim *s;
	unsigned int i, k, idx;
	struct sev *e;

	if (!s)
		s = malloc(sizeof(*s));
	if (!s) {
		r->ok = false;
		snprintf(r->why, sizeof(r->why), "out of memory");
		return;
	}
	reset(s, o, seed);
	sim_choose_config(s);
	cl_disk_format(&s->disk, s->cfg.n);
	s->heal_at = o->chaos;
	s->end = o->chaos + o->heal;
	for (i = 0; i < s->cfg.n; i++) {
		s->node[i].gen = 1;
		e = sim_push(s, sim_below(s, 50000), SEV_RESTART, i);
		for (k = 0; k < o->nscript; k++)
			if (o->script[k].act == SIM_ACT_ABSENT &&
			    o->script[k].node == i)
				e->gen = 0;	/* never starts */
	}
	for (k = 0; k < o->nscript; k++) {
		e = sim_push(s, o->script[k].t, SEV_SCRIPT, 0);
		e->src = k;
	}
	if (!o->no_heal)
		sim_push(s, s->heal_at, SEV_HEAL, 0);
	if (s->o.nemesis)
		sim_push(s, 200000 + sim_below(s, 400000), SEV_NEMESIS, 0);
	while (s->nheap && !s->failed) {
		idx = heap_pop(s);
		e = &s->ev[idx];
		if (e->t > s->end) {
			s->free[s->nfree++] = idx;
			break;
		}
		s->now = e->t;
		step(s, e);
		s->free[s->nfree++] = idx;
		s->st.events++;
		sim_check_step(s);
	}
	if (!s->failed && !o->no_heal)
		sim_check_end(s);
	r->final_master = CL_NONE;
	r->final_expected = 0;
	for (i = 0; i < s->cfg.n; i++)
		if (s->node[i].up && s->node[i].core.role == CL_MASTER) {
			r->final_master = i;
			r->final_expected = s->node[i].core.expected;
		}
	r->ok = !s->failed;
	memcpy(r->why, s->why, sizeof(r->why));
	r->cfg = s->cfg;
	r->st = s->st;
	if (s->failed && hist)
		for (i = 0; i < s->nhist && i < SIM_HIST; i++)
			fprintf(hist, "  %s\n",
				s->hist[(s->nhist - (s->nhist < SIM_HIST ?
				 s->nhist : SIM_HIST) + i) % SIM_HIST]);
}
