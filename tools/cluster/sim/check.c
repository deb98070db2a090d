// SPDX-License-Identifier: GPL-2.0
/*
 * The invariant checker, run after every simulated event, and the run's
 * short history. Safety: never two masters in one term; never a master
 * cut off from a quorum (ground truth: who is up and reachable, and who
 * holds the disk) for longer than it takes to notice; never a write
 * with an old fencing token accepted; never a node declared dead that was
 * up, reachable and undisturbed for a whole detection window (where the
 * configuration claims that accuracy). Liveness: after the heal, one
 * master that every node follows.
 */
#include <stdarg.h>
#include <string.h>

#include "../core/quorum.h"
#include "internal.h"

static void vhist(struct sim *s, const char *fmt, va_list ap)
{
	char *line = s->hist[s->nhist++ % SIM_HIST];
	int n;

	n = snprintf(line, SIM_HIST_LINE, "%9.3f ms ", s->now / 1000.0);
	vsnprintf(line + n, SIM_HIST_LINE - n, fmt, ap);
	if (s->o.trace)
		fprintf(s->o.trace, "%s\n", line);
}

void sim_hist(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vhist(s, fmt, ap);
	va_end(ap);
}

/* One measured time into its count, sum and max; with o.samples a line. */
static void sample(struct sim *s, const char *what, uint64_t *n,
		   uint64_t *sum, uint64_t *max, cl_time t)
{
	++*n;
	*sum += t;
	if (t > *max)
		*max = t;
	if (s->o.samples)
		fprintf(s->o.samples, "%s %.3f\n", what, t / 1000.0);
}

#define SAMPLE(s, what, f, t) \
	sample(s, what, &(s)->st.f##_n, &(s)->st.f##_sum, &(s)->st.f##_max, t)

void sim_fail(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (s->failed)
		return;
	s->failed = true;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	sim_hist(s, "VIOLATION: %s", s->why);
}

/* Quorum by the book, whatever variant the nodes run. */
/*
 * The votes a master of @expected needs. Without last_man_standing that
 * is always all n nodes' worth; with it, the master's own expected votes,
 * which the EXPECTED check below holds to votequorum's rule.
 */
static unsigned int true_need(const struct sim *s, unsigned int expected)
{
	struct cl_config c = s->cfg;

	c.broken = 0;
	return cl_quorum_need(&c, c.last_man_standing ? expected : c.n);
}

static cl_time death_window(const struct sim *s)
{
	const struct cl_config *c = &s->cfg;
	cl_time w = c->hb_timeout > c->suspect_timeout ? c->hb_timeout :
		    c->suspect_timeout;

	w += c->disk_timeout + 3 * (c->probe_interval > c->hb_interval ?
				    c->probe_interval : c->hb_interval);
	return w + w / 8;	/* clocks may run 5 % slow */
}

static void check_death(struct sim *s, unsigned int i, unsigned int j)
{
	const struct cl_config *c = &s->cfg;
	struct snode *t = &s->node[j];
	cl_time w = death_window(s);

	s->st.deaths++;
	if (!t->up && !t->death_seen) {
		t->death_seen = true;
		SAMPLE(s, "detect", detect, s->now - t->down_at);
	}
	if (!t->up || t->paused_until > s->now)
		return;
	s->st.false_deaths++;
	sim_hist(s, "n%u declares n%u dead while it runs", i, j);
	/* Only the second channel or SWIM's suspicion promise accuracy. */
	if (!c->second_channel && c->detector != CL_DET_SWIM &&
	    !(c->broken & CL_BROKEN_NO_SUSPECT))
		return;
	if (s->loss > 5 || !sim_reachable(s, i, j))
		return;
	if (s->now < w || s->now - s->disturbed < w ||
	    s->now - t->disturbed < w || s->now - s->node[i].disturbed < w ||
	    t->disturbed > s->now || s->node[i].disturbed > s->now ||
	    s->disturbed > s->now)
		return;
	sim_fail(s, "false death: n%u declared n%u dead, but n%u was up, reachable and undisturbed for %llu ms",
		 i, j, j, (unsigned long long)w / 1000);
}

static unsigned int true_votes(struct sim *s, unsigned int i);

/*
 * last_man_standing may lower a master's expected votes only while the
 * master truly holds a quorum of the old value: then every later quorum
 * meets every earlier one, and no two sides can both be quorate.
 */
static void check_expected(struct sim *s, unsigned int i, unsigned int e)
{
	struct snode *sn = &s->node[i];
	unsigned int old = sn->expected, v;

	sn->expected = e;
	sim_hist(s, "n%u expected votes %u -> %u", i, old, e);
	if (e >= old)
		return;
	s->st.lms_shrinks++;
	v = true_votes(s, i);
	if (v < true_need(s, old))
		sim_fail(s, "n%u lowered expected votes %u -> %u with %u votes reachable, below the %u quorum of %u",
			 i, old, e, v, true_need(s, old), old);
}

/*
 * Without a power fence, a master may serve only once every master of an
 * older term is down or has stepped down: one that runs must have lost
 * its lease, one that is stuck must have been killed by its watchdog. A
 * stuck master is harmless in the simulator until it runs again, but a
 * real one may have I/O in flight: that is what the watchdog answers.
 */
static void check_serve(struct sim *s, unsigned int i, uint64_t term)
{
	const struct snode *t;
	unsigned int j;

	for (j = 0; j < s->cfg.n; j++) {
		t = &s->node[j];
		if (j == i || !t->up || t->core.role != CL_MASTER ||
		    !t->core.serving || t->core.term >= term)
			continue;
		sim_fail(s, "n%u serves in term %llu beside n%u, still master of term %llu (%s)",
			 i, (unsigned long long)term, j,
			 (unsigned long long)t->core.term,
			 t->paused_until > s->now ? "stuck" : "running");
	}
}

void sim_check_decision(struct sim *s, unsigned int i,
			const struct cl_decision *d)
{
	unsigned int slot = d->term % (sizeof(s->terms) / sizeof(s->terms[0]));
	unsigned long long term = d->term;

	switch (d->type) {
	case CL_D_MASTER:
		s->st.masters++;
		sim_hist(s, "n%u becomes master of term %llu", i, term);
		if (s->terms[slot].term == d->term && s->terms[slot].node != i)
			sim_fail(s, "two masters in term %llu: n%u and n%u",
				 term, s->terms[slot].node, i);
		s->terms[slot].term = d->term;
		s->terms[slot].node = i;
		if (s->master_lost_at) {
			/* the first master after a master crashed */
			SAMPLE(s, "elect", failover, s->now - s->master_lost_at);
			/* the election alone, after the timeout ran out */
			if (s->beats_lost_at)
				SAMPLE(s, "takeover", takeover,
				       s->now - s->beats_lost_at);
			s->master_lost_at = s->beats_lost_at = 0;
		}
		break;
	case CL_D_MASTER_LOST:
		if (s->master_lost_at && !s->beats_lost_at)
			s->beats_lost_at = s->now;
		break;
	case CL_D_DEAD:
		check_death(s, i, d->a);
		break;
	case CL_D_EXPECTED:
		check_expected(s, i, d->a);
		break;
	case CL_D_DISOWN:
		sim_hist(s, "n%u stops serving partition %u", i, d->a);
		break;
	case CL_D_OWN:
		sim_hist(s, "n%u serves partition %u (term %llu)", i, d->a, term);
		if (s->cfg.standby != CL_SB_NONE && d->a < CL_MAX_PARTS &&
		    s->applied[i][d->a] != s->jlen[d->a])
			sim_fail(s, "partition %u served by n%u with %u of its %u journaled updates",
				 d->a, i, s->applied[i][d->a], s->jlen[d->a]);
		if (d->a < CL_MAX_PARTS && s->part_lost_at[d->a]) {
			cl_time t = s->now + 1 - s->part_lost_at[d->a];

			SAMPLE(s, "serve", svc, t);
			s->part_lost_at[d->a] = 0;
		}
		break;
	case CL_D_DISK_SAVED:
		s->st.disk_saved++;
		break;
	case CL_D_BAD_INPUT:
		s->st.bad_input++;
		sim_fail(s, "n%u refused a datagram of an honest node: %s", i,
			 cl_wire_err_name(d->a));
		break;
	case CL_D_WRITE_REFUSED:
		s->st.refused++;
		sim_hist(s, "n%u's write of epoch %llu refused: %s", i, term,
			 cl_disk_result_name(d->a));
		break;
	case CL_D_FENCE_TIMED:
		s->st.wd_fences++;
		sim_hist(s, "n%u takes n%u as fenced: watchdog bound over (term %llu)",
			 i, d->a, term);
		break;
	case CL_D_SERVE:
		if (s->cfg.watchdog)
			check_serve(s, i, d->term);
		sim_hist(s, "n%u serve (term %llu)", i, term);
		break;
	case CL_D_STEP_DOWN:
	case CL_D_FENCE_POWER:
	case CL_D_SUSPECT:
		sim_hist(s, "n%u %s n%u (term %llu)", i,
			 cl_decision_name(d->type), d->a, term);
		break;
	}
}

void sim_check_caught(struct sim *s, unsigned int i, unsigned int p)
{
	cl_time t = s->now - s->catch_at[i][p];

	sim_hist(s, "n%u caught up on partition %u (%u updates)", i, p,
		 s->applied[i][p]);
	SAMPLE(s, "catchup", catchup, t);
}

void sim_check_write(struct sim *s, const struct cl_disk_op *op, int result)
{
	if (op->kind == CL_DISK_RESERVE && result == CL_DISK_OK)
		sim_hist(s, "disk reserved by n%u for epoch %llu", op->node,
			 (unsigned long long)op->epoch);
	/* the device took its token: its votes are the holder's for a lease */
	if ((op->kind == CL_DISK_RESERVE || op->kind == CL_DISK_RENEW) &&
	    result == CL_DISK_OK && op->epoch == s->disk.epoch &&
	    op->node == s->disk.owner)
		s->disk_held[op->node] = s->now + 1;
	if (op->kind == CL_DISK_DATA && result == CL_DISK_OK &&
	    op->epoch < s->disk.epoch)
		sim_fail(s, "fenced write accepted: n%u wrote with epoch %llu, the disk holds epoch %llu",
			 op->node, (unsigned long long)op->epoch,
			 (unsigned long long)s->disk.epoch);
}

/*
 * A master's quorum lease counts acks up to a timeout old, so the truth
 * it is held to is windowed the same way: the nodes that were up and
 * reachable from it at some moment of the last lease period, plus the
 * disk's votes if it held the reservation in that period.
 */
static cl_time lease_window(const struct sim *s)
{
	const struct cl_config *c = &s->cfg;

	return c->hb_timeout + c->hb_timeout / 10 + 2 * c->hb_interval;
}

static unsigned int true_votes(struct sim *s, unsigned int i)
{
	cl_time w = lease_window(s), now1 = s->now + 1;
	unsigned int j, v = 0;

	for (j = 0; j < s->cfg.n; j++)
		v += s->seen[i][j] && now1 - s->seen[i][j] <= w;
	if (s->disk_held[i] && now1 - s->disk_held[i] <= w)
		v += s->cfg.disk_votes;
	return v;
}

/* One master, followed by every running node in its term. */
static bool agreed(const struct sim *s)
{
	unsigned int i, m = CL_NONE;

	for (i = 0; i < s->cfg.n; i++)
		if (s->node[i].up && s->node[i].core.role == CL_MASTER) {
			if (m != CL_NONE)
				return false;
			m = i;
		}
	if (m == CL_NONE)
		return false;
	for (i = 0; i < s->cfg.n; i++)
		if (s->node[i].up && i != m &&
		    (s->node[i].core.master != m ||
		     s->node[i].core.term != s->node[m].core.term))
			return false;
	return true;
}

/* No partition is served by two running nodes at once. */
static void check_parts(struct sim *s)
{
	unsigned int i, seen = 0, twice;

	for (i = 0; i < s->cfg.n; i++) {
		/* a node paused, or not yet run since, serves nothing */
		if (!s->node[i].up || s->node[i].paused_until > s->now ||
		    s->node[i].ran_at < s->node[i].paused_until)
			continue;
		twice = seen & s->node[i].core.serving_parts;
		if (twice) {
			sim_fail(s, "partition %d served twice (n%u among them)",
				 __builtin_ctz(twice), i);
			return;
		}
		seen |= s->node[i].core.serving_parts;
	}
}

/*
 * last_man_standing raises expected votes at once when nodes return:
 * a master must not count on fewer votes than the nodes it reaches, or
 * the returned ones could form a second quorum of the lowered count.
 */
static void check_raise(struct sim *s, unsigned int i)
{
	const struct cl_config *c = &s->cfg;
	struct snode *sn = &s->node[i];
	cl_time grace = lease_window(s) + c->hb_timeout;
	unsigned int j, reach = 0;

	for (j = 0; j < c->n; j++)
		reach += s->seen[i][j] == s->now + 1;
	if (!c->last_man_standing || sn->core.expected >= reach) {
		sn->low_since = 0;
		return;
	}
	if (!sn->low_since)
		sn->low_since = s->now + 1;
	else if (s->now + 1 - sn->low_since > grace)
		sim_fail(s, "n%u is master with expected votes %u while it reaches %u nodes, for %llu ms",
			 i, sn->core.expected, reach,
			 (unsigned long long)(s->now + 1 - sn->low_since) / 1000);
}

void sim_check_step(struct sim *s)
{
	const struct cl_config *c = &s->cfg;
	cl_time grace = c->hb_interval + 2 * c->tick;
	struct snode *sn;
	unsigned int i, j, v;

	check_parts(s);
	if (s->healed && !s->converged && agreed(s)) {
		s->converged = true;
		s->st.converge_n++;
		s->st.converge_sum += s->now - s->heal_at;
		if (s->now - s->heal_at > s->st.converge_max)
			s->st.converge_max = s->now - s->heal_at;
	}
	/* who could hear whom, now: votes may have come from any of them */
	for (i = 0; i < c->n; i++) {
		if (!s->node[i].up || s->node[i].paused_until > s->now)
			continue;
		for (j = 0; j < c->n; j++)
			if (s->node[j].up && s->node[j].paused_until <= s->now &&
			    sim_reachable(s, i, j))
				s->seen[i][j] = s->now + 1;
	}
	for (i = 0; i < c->n; i++) {
		sn = &s->node[i];
		if (!sn->up || sn->core.role != CL_MASTER ||
		    sn->paused_until > s->now) {
			sn->nomq_since = sn->low_since = 0;
			continue;
		}
		check_raise(s, i);
		v = true_votes(s, i);
		if (v >= true_need(s, sn->core.expected)) {
			sn->nomq_since = 0;
			continue;
		}
		if (!sn->nomq_since) {
			sn->nomq_since = s->now + 1;
			continue;
		}
		if (s->now + 1 - sn->nomq_since > s->st.outlived_max)
			s->st.outlived_max = s->now + 1 - sn->nomq_since;
		if (s->now + 1 - sn->nomq_since > grace)
			sim_fail(s, "n%u is master of term %llu without a quorum for %llu ms (%u of %u votes reachable within %llu ms)",
				 i, (unsigned long long)sn->core.term,
				 (unsigned long long)(s->now + 1 - sn->nomq_since) / 1000,
				 v, true_need(s, sn->core.expected),
				 (unsigned long long)lease_window(s) / 1000);
	}
}

/* After the heal every partition has its one server. */
static void parts_served(struct sim *s)
{
	unsigned int i, all = 0;

	for (i = 0; i < s->cfg.n; i++)
		if (s->node[i].up)
			all |= s->node[i].core.serving_parts;
	if (s->cfg.partitions && all != (1u << s->cfg.partitions) - 1)
		sim_fail(s, "partitions %#x unserved after the heal",
			 ((1u << s->cfg.partitions) - 1) & ~all);
}

void sim_check_end(struct sim *s)
{
	unsigned int i, m = CL_NONE;
	struct snode *sn;

	for (i = 0; i < s->cfg.n; i++) {
		sn = &s->node[i];
		if (!sn->up || sn->core.role != CL_MASTER)
			continue;
		if (m != CL_NONE) {
			sim_fail(s, "n%u and n%u both master after the heal",
				 m, i);
			return;
		}
		m = i;
	}
	if (m == CL_NONE) {
		sim_fail(s, "no master %llu ms after the heal",
			 (unsigned long long)(s->end - s->heal_at) / 1000);
		return;
	}
	parts_served(s);
	for (i = 0; i < s->cfg.n; i++) {
		sn = &s->node[i];
		if (sn->up && i != m && (sn->core.master != m ||
					 sn->core.term != s->node[m].core.term))
			sim_fail(s, "n%u follows %s%u in term %llu, not master n%u of term %llu",
				 i, sn->core.master == CL_NONE ? "no one " : "n",
				 sn->core.master == CL_NONE ? 0 : sn->core.master,
				 (unsigned long long)sn->core.term, m,
				 (unsigned long long)s->node[m].core.term);
	}
}
