/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The closed-loop driver of "smpkit-kv load --backend": W lanes, each a
 * connection (or a connected UDP socket) with one request in flight,
 * puts and gets over the keys of keys.h, each request timed from its own
 * start into one histogram. A backend only spells a request and judges
 * the bytes that come back (drive_ours.c, drive_redis.c, drive_etcd.c);
 * sockets, timeouts, counting and the report are the driver's, the same
 * for every system compared (Documentation/kv.rst, "Beside etcd and
 * redis").
 */
#ifndef KV_DRIVE_H
#define KV_DRIVE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "keys.h"

#define KV_DRIVE_MAX_LANES	512
#define KV_DRIVE_BUF		16384	/* the largest request or reply */

struct kv_drive;

struct kv_lane {
	int fd;			/* -1: not connected */
	bool busy;		/* a request is in flight */
	bool put;
	bool close_after;	/* the reply asked to end the connection */
	unsigned int key;
	const struct sockaddr_in *to;
	uint64_t start, retry_at, seq;
	char kname[32], val[48];
	size_t olen, off, ilen;
	uint8_t out[KV_DRIVE_BUF], in[KV_DRIVE_BUF];
};

/* A backend's judgement of the bytes in ln->in. */
enum kv_verdict {
	KV_V_MORE,	/* not a whole reply yet */
	KV_V_OK,	/* the request succeeded */
	KV_V_MISS,	/* a get that succeeded and found no value */
	KV_V_ERR,	/* the server refused it, in a well-formed reply */
	KV_V_BAD,	/* malformed: the connection is dropped */
	KV_V_STALE,	/* a datagram for an earlier request: ignored */
};

struct kv_backend {
	const char *name;
	int type;		/* SOCK_STREAM or SOCK_DGRAM */
	int (*init)(struct kv_drive *d);	/* optional */
	void (*fini)(struct kv_drive *d);	/* optional */
	/* The lane's request (ln->put, ln->kname, ln->val) in ln->out. */
	size_t (*request)(struct kv_drive *d, struct kv_lane *ln);
	/*
	 * Judges ln->in[0..ln->ilen); on a whole reply sets *used to its
	 * bytes. A datagram backend gets one datagram at a time.
	 */
	enum kv_verdict (*reply)(struct kv_drive *d, struct kv_lane *ln,
				 size_t *used);
};

extern const struct kv_backend kv_backend_ours, kv_backend_redis,
	kv_backend_etcd;

struct kv_drive {
	/* set by the caller */
	const struct kv_backend *be;
	const struct sockaddr_in *addr;
	unsigned int naddr, window, reads_pct;
	unsigned int r, w;		/* ours: 0 = the node's default */
	bool serializable;		/* etcd: gets from any member's copy */
	uint64_t duration_us, timeout_us, client;
	struct kv_keys *kg;
	/* the backend's own state */
	void *priv;
	/* the driver's */
	struct kv_lane *lane;
	struct kv_hist lat;
	uint64_t sent, ok, missing, server_err, malformed, conn_err, timeouts;
	char first_err[160];	/* the first error's explanation */
};

/* Runs the load and prints the report: 0 when any request succeeded. */
int kv_drive(struct kv_drive *d);
/* Keeps @fmt as the first error's explanation, if none yet. */
void kv_drive_note(struct kv_drive *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* How many of @b's first bytes a note can quote (printable, at most 60). */
int kv_printable(const uint8_t *b, size_t len);

#endif
