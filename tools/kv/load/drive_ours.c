// SPDX-License-Identifier: GPL-2.0
/*
 * Our store's backend of the closed-loop driver: the node's datagrams
 * (node/wire.h), each lane a UDP socket connected to one node, the tag
 * naming the lane's request so that an answer to one given up is told
 * apart. As "load" does, a put carries the last context seen for its key
 * (so it replaces the value instead of adding a sibling) and an
 * idempotency key; unlike "load", nothing is retried: a timeout is
 * counted, as it is for the peers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../node/wire.h"
#include "drive.h"

struct ours {
	struct kv_vv *ctx;	/* per key, the last context seen */
	struct kv_hlc *ts;
	uint64_t idem_seq;
	struct kvw_req q;
	struct kvw_rep rep;
};

static int init(struct kv_drive *d)
{
	struct ours *o = calloc(1, sizeof(*o));

	if (!o)
		return -1;
	o->ctx = calloc(d->kg->n, sizeof(*o->ctx));
	o->ts = calloc(d->kg->n, sizeof(*o->ts));
	d->priv = o;
	return o->ctx && o->ts ? 0 : -1;
}

static void fini(struct kv_drive *d)
{
	struct ours *o = d->priv;

	if (!o)
		return;
	free(o->ctx);
	free(o->ts);
	free(o);
	d->priv = NULL;
}

static uint64_t tag_of(const struct kv_drive *d, const struct kv_lane *ln)
{
	return ln->seq << 16 | (uint64_t)(ln - d->lane);
}

static size_t request(struct kv_drive *d, struct kv_lane *ln)
{
	struct ours *o = d->priv;
	struct kvw_req *q = &o->q;

	memset(q, 0, sizeof(*q));
	q->rq.tag = tag_of(d, ln);
	q->rq.r = d->r;
	q->rq.w = d->w;
	q->rq.klen = q->klen = strlen(ln->kname);
	memcpy(q->rq.key, ln->kname, q->klen);
	if (ln->put) {
		q->rq.op = KV_OP_PUT;
		q->rq.ctx = o->ctx[ln->key];
		q->rq.ctx_ts = o->ts[ln->key];
		q->rq.vlen = q->vlen = strlen(ln->val);
		memcpy(q->rq.val, ln->val, q->vlen);
		q->idem_client = d->client;
		q->idem_seq = ++o->idem_seq;
	} else {
		q->rq.op = KV_OP_GET;
	}
	return kvw_put_req(ln->out, sizeof(ln->out), q);
}

static enum kv_verdict reply(struct kv_drive *d, struct kv_lane *ln,
			     size_t *used)
{
	struct ours *o = d->priv;
	struct kvw_rep *rep = &o->rep;
	const char *why;

	*used = ln->ilen;
	if (kvw_get_rep(ln->in, ln->ilen, rep, &why)) {
		kv_drive_note(d, "ours: malformed reply: %s", why);
		return KV_V_BAD;
	}
	if (rep->rep.tag != tag_of(d, ln))
		return KV_V_STALE;
	/* a refusal for too many versions carries them: replace them next */
	if (!rep->rep.err ||
	    (rep->rep.err == -EMLINK && rep->rep.obj.type == KV_T_REG)) {
		kv_obj_context(&rep->rep.obj, &o->ctx[ln->key]);
		o->ts[ln->key] = kv_obj_maxts(&rep->rep.obj);
	}
	if (rep->rep.err) {
		kv_drive_note(d, "ours: %s (%s)", strerror(-rep->rep.err),
			      rep->info);
		return KV_V_ERR;
	}
	if (!ln->put && !rep->rep.obj.nsib)
		return KV_V_MISS;
	return KV_V_OK;
}

const struct kv_backend kv_backend_ours = {
	.name = "ours",
	.type = SOCK_DGRAM,
	.init = init,
	.fini = fini,
	.request = request,
	.reply = reply,
};
