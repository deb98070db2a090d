/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The store's datagrams and its on-disk object format: explicit
 * little-endian fields, every count and length checked against the
 * core's limits before anything is copied. One datagram holds one peer
 * message, one client request or one reply.
 */
#ifndef KV_WIRE_H
#define KV_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/node.h"

#define KVW_MAGIC	0x4b56	/* "VK" little-endian */
#define KVW_VERSION	1
#define KVW_MAX		16384	/* the largest datagram we send or take */
#define KVW_INFO	1024

enum kvw_kind { KVW_PEER = 1, KVW_REQ, KVW_REP };
#define KVW_OP_STATUS	0x40	/* a client asking for the node's status */
/* The operator's ring change (move.c): delta is the joining member. */
#define KVW_OP_JOIN	0x41
#define KVW_OP_READY	0x42	/* -EAGAIN until this node caught up */
#define KVW_OP_COMMIT	0x43
#define KVW_OP_LEAVE	0x44	/* delta is the leaving member */
#define KVW_OP_ABORT	0x45	/* drop a change no node committed */

struct kvw_req {
	struct kv_request rq;
	uint32_t ring_ver;	/* 0: any; else must match the node's */
	/*
	 * As sent, before the limits: a client may claim more than rq
	 * holds (the rest is padding), for the node to refuse.
	 */
	uint16_t klen, vlen;
	/*
	 * The idempotency key of a write (client 0: none): a retry carries
	 * the same pair, and the node that coordinates it applies it once
	 * (idem.h).
	 */
	uint64_t idem_client, idem_seq;
};

struct kvw_rep {
	struct kv_reply rep;
	char info[KVW_INFO];	/* an error's explanation, or the status */
};

/* Encoders return the length, or 0 when @cap is too small. */
size_t kvw_put_msg(uint8_t *buf, size_t cap, const struct kv_msg *m);
size_t kvw_put_req(uint8_t *buf, size_t cap, const struct kvw_req *r);
size_t kvw_put_rep(uint8_t *buf, size_t cap, const struct kvw_rep *r);
size_t kvw_put_obj(uint8_t *buf, size_t cap, const struct kv_obj *o);

/* The datagram's kind, or -EBADMSG when it is not ours at all. */
int kvw_kind(const uint8_t *buf, size_t len);
/* 0, or -EBADMSG with a reason in @why (static text). */
int kvw_get_msg(const uint8_t *buf, size_t len, struct kv_msg *m,
		const char **why);
/*
 * 0; -E2BIG for a key or value over the limits (the tag is set, so the
 * client can be told); -EBADMSG otherwise.
 */
int kvw_get_req(const uint8_t *buf, size_t len, struct kvw_req *r,
		const char **why);
int kvw_get_rep(const uint8_t *buf, size_t len, struct kvw_rep *r,
		const char **why);
int kvw_get_obj(const uint8_t *buf, size_t len, struct kv_obj *o,
		const char **why);

#endif
