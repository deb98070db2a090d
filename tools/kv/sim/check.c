// SPDX-License-Identifier: GPL-2.0
/*
 * The history checker. Strict runs (r + w > n, no sloppy quorum): every
 * read must see every write acknowledged before the read began: under
 * siblings, its dot is kept or superseded in what the read returned;
 * under last writer wins, the value returned must not come from a write
 * that finished before an acknowledged one began (a delete is a write of
 * a tombstone: the same rule). Under siblings, deletes have a rule of
 * their own instead (brings_back()). Every run: once the
 * network healed, each key's owners hold equal copies (convergence), no
 * acknowledged write is missing from them, no sibling was dropped to fit,
 * each owner's counter lies between the acknowledged and the attempted
 * increments, and the OR-set's copies are equal (convergence covers it).
 */
#include <stdarg.h>
#include <string.h>

#include "internal.h"

void ks_hist(struct ksim *s, const char *fmt, ...)
{
	char *line = s->hist[s->nhist++ % KVSIM_HIST];
	va_list ap;
	int n;

	n = snprintf(line, KVSIM_HIST_LINE, "%8.3f ms  ", s->now / 1000.0);
	va_start(ap, fmt);
	vsnprintf(line + n, KVSIM_HIST_LINE - n, fmt, ap);
	va_end(ap);
	if (s->o.trace)
		fprintf(s->o.trace, "%s\n", line);
}

void ks_fail(struct ksim *s, const char *fmt, ...)
{
	va_list ap;

	if (s->failed)
		return;
	s->failed = true;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	ks_hist(s, "FAIL: %s", s->why);
}

static const struct kwrite *write_of(struct ksim *s, const struct kv_obj *o)
{
	uint32_t v;
	unsigned int i;

	if (o->type != KV_T_REG || !o->nsib || o->u.sib[0].len != sizeof(v))
		return NULL;
	memcpy(&v, o->u.sib[0].val, sizeof(v));
	for (i = 0; i < s->nw; i++)
		if (s->w[i].val == v)
			return &s->w[i];
	return NULL;
}

/*
 * A delete D acknowledged before the read began superseded, on every
 * replica that holds it, each version whose dot D's context covers: D's
 * context is what its client read, so those are the versions it meant
 * to delete. Such a version returned live is a resurrection (a replica
 * that forgot the tombstone handed the old version back). A write that
 * revives the key after D, or concurrently with it, has a dot of its
 * own that D's context does not cover, so it is not one of them.
 */
static bool brings_back(struct ksim *s, unsigned int key, kv_time start,
			const struct kv_obj *o, const char *who)
{
	const struct kv_sib *sib;
	unsigned int i, j;
	uint32_t v = 0;

	for (i = 0; i < s->nw; i++) {
		const struct kwrite *d = &s->w[i];

		if (d->key != key || !d->del || !d->acked || d->ack >= start)
			continue;
		for (j = 0; j < o->nsib; j++) {
			sib = &o->u.sib[j];
			if (sib->del || !kv_vv_covers(&d->ctx, sib->dot))
				continue;
			if (sib->len == sizeof(v))
				memcpy(&v, sib->val, sizeof(v));
			ks_fail(s, "%s of k%u at %.3f ms returned %u, which the delete %u acknowledged at %.3f ms covered (resurrected)",
				who, key, start / 1000.0, v, d->val,
				d->ack / 1000.0);
			return true;
		}
	}
	return false;
}

/*
 * Did a delete begun before now cover the version with dot @dot? It may
 * have taken effect before the read's replies (acknowledged or not, and
 * a retried read keeps its first start), and once its tombstone is
 * collected nothing covers @dot any more.
 */
static bool deleted(struct ksim *s, unsigned int key, struct kv_dot dot)
{
	const struct kwrite *w;
	unsigned int i;

	for (i = 0; i < s->nw; i++) {
		w = &s->w[i];
		if (w->key == key && w->del && kv_vv_covers(&w->ctx, dot) &&
		    w->start < s->now)
			return true;
	}
	return false;
}

/*
 * Under LWW a read that found nothing saw a collected tombstone: fine if
 * some delete of the key did not end before @w began (it may have won).
 */
static bool collected(struct ksim *s, unsigned int key,
		      const struct kv_obj *o, const struct kwrite *w)
{
	unsigned int i;

	if (!s->o.cfg.collect || (o->type == KV_T_REG && o->nsib))
		return false;
	for (i = 0; i < s->nw; i++)
		if (s->w[i].key == key && s->w[i].del &&
		    !(s->w[i].acked && s->w[i].ack < w->start))
			return true;
	return false;
}

void ks_check_read(struct ksim *s, unsigned int key, kv_time start,
		   const struct kv_obj *o, const char *who)
{
	const struct kwrite *got = NULL;
	unsigned int i;

	if (o->overflow) {
		ks_fail(s, "%s of k%u: siblings were dropped to fit", who, key);
		return;
	}
	if (s->o.cfg.policy == KV_POL_SIBLINGS && o->type == KV_T_REG &&
	    brings_back(s, key, start, o, who))
		return;
	if (s->o.cfg.policy == KV_POL_LWW)
		got = write_of(s, o);
	for (i = 0; i < s->nw; i++) {
		const struct kwrite *w = &s->w[i];

		if (w->key != key || !w->acked || w->ack >= start)
			continue;
		if (s->o.cfg.policy == KV_POL_SIBLINGS) {
			/*
			 * A tombstone may go once it did its work (a future
			 * collection), and with it what covered the versions
			 * it deleted: brings_back() judges those instead.
			 */
			if (!w->del && !kv_obj_covers(o, w->dot) &&
			    !deleted(s, key, w->dot)) {
				ks_fail(s, "%s of k%u at %.3f ms misses the write of %u acknowledged at %.3f ms",
					who, key, start / 1000.0, w->val,
					w->ack / 1000.0);
				return;
			}
			continue;
		}
		/* LWW: what it returned must not predate w entirely */
		if (!got && collected(s, key, o, w))
			continue;
		if (!got || (got->acked && got->ack < w->start)) {
			ks_fail(s, "%s of k%u at %.3f ms returned %u, older than the write of %u acknowledged at %.3f ms (lost update)",
				who, key, start / 1000.0, got ? got->val : 0,
				w->val, w->ack / 1000.0);
			return;
		}
	}
}

static const struct kv_obj *copy_at(struct ksim *s, unsigned int node,
				    unsigned int key)
{
	static const struct kv_obj none;
	struct kv_ent *e;
	char k[KV_KEY_MAX];
	uint8_t len;

	ks_key(key, k, &len);
	e = kv_store_find(s->node[node].core, k, len);
	return e ? &e->obj : &none;
}

static unsigned int shard_of(struct ksim *s, unsigned int key)
{
	char k[KV_KEY_MAX];
	uint8_t len;

	ks_key(key, k, &len);
	return kv_ring_shard(&s->ring, k, len);
}

static bool key_converged(struct ksim *s, unsigned int key)
{
	unsigned int sh = shard_of(s, key), i;
	uint64_t d = kv_obj_digest(copy_at(s, s->ring.owner[sh][0], key));

	for (i = 1; i < kv_ring_owners(&s->ring); i++)
		if (kv_obj_digest(copy_at(s, s->ring.owner[sh][i], key)) != d)
			return false;
	return true;
}

bool ks_converged(struct ksim *s, unsigned int *divergent)
{
	unsigned int k;

	*divergent = 0;
	for (k = 0; k < s->o.keys; k++)
		*divergent += !key_converged(s, k);
	if (s->o.counters)
		*divergent += !key_converged(s, KVSIM_CTR) +
			      !key_converged(s, KVSIM_SET);
	return !*divergent;
}

void ks_check_end(struct ksim *s)
{
	unsigned int k, i, sh, div;
	const struct kv_obj *o;
	int64_t v;

	if (!ks_converged(s, &div)) {
		ks_fail(s, "%u keys did not converge %.0f ms after the heal",
			div, (s->end - s->heal_at) / 1000.0);
		return;
	}
	/* every hint reaches an owner once the network healed */
	for (i = 0; i < s->o.nodes && s->o.cfg.handoff; i++)
		for (k = 0; k < KV_MAX_HINTS; k++)
			if (s->node[i].core->hint[k].used) {
				ks_fail(s, "n%u still holds a hint for n%u %.0f ms after the heal",
					i, s->node[i].core->hint[k].owner,
					(s->end - s->heal_at) / 1000.0);
				return;
			}
	/* eventual LWW may lose an update by design: only convergence */
	for (k = 0; k < s->o.keys && !s->failed &&
	     (kvsim_strict(&s->o) || s->o.cfg.policy == KV_POL_SIBLINGS); k++) {
		sh = shard_of(s, k);
		ks_check_read(s, k, s->end, copy_at(s, s->ring.owner[sh][0], k),
			      "the final copy");
	}
	if (!s->o.counters || s->failed)
		return;
	sh = shard_of(s, KVSIM_CTR);
	for (i = 0; i < kv_ring_owners(&s->ring); i++) {
		o = copy_at(s, s->ring.owner[sh][i], KVSIM_CTR);
		v = o->type == KV_T_COUNTER ? kv_pn_value(&o->u.pn) : 0;
		if (v < s->ctr_acked || v > s->ctr_tried) {
			ks_fail(s, "counter at n%u is %lld, not within acknowledged %lld .. attempted %lld",
				s->ring.owner[sh][i], (long long)v,
				(long long)s->ctr_acked,
				(long long)s->ctr_tried);
			return;
		}
	}
}
