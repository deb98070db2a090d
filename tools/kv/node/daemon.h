/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The node daemon's state, shared by its two files: daemon.c (the loop,
 * requests, replies, the disk's group commit) and ringop.c (the
 * operator's ring changes: join, leave, ready, commit, abort).
 */
#ifndef SMPKIT_KV_NODE_DAEMON_H
#define SMPKIT_KV_NODE_DAEMON_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "disk.h"
#include "idem.h"
#include "wire.h"

#define CLIENT_SLOTS KV_MAX_REQS

struct client_slot {
	bool used;
	uint64_t tag;
	struct sockaddr_in addr;
	char what[16];
	struct kv_idem_ent *idem;	/* the write's idempotency key, if any */
};

struct daemon {
	int fd;
	unsigned int self, npeers;
	struct sockaddr_in peer[KV_MAX_NODES];
	struct kv_node node;
	struct kv_disk *disk;
	struct kv_out out;
	struct client_slot cl[CLIENT_SLOTS];
	/*
	 * Where each answer of the batch goes: back to the datagram's
	 * sender, which is the peer's address unless someone else sent it.
	 */
	bool back[KV_OUT_MAX];
	struct sockaddr_in back_to[KV_OUT_MAX];
	uint64_t bad_input;
	struct kv_idem idem;
	bool followed;		/* committed the last change on its own */
};

/* Answer request @tag at @to with @err and a formatted line. */
void kvd_answer(struct daemon *d, const struct sockaddr_in *to,
		uint64_t tag, int err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Commit the batch so far to disk, then send its messages and replies. */
void kvd_flush(struct daemon *d);

/* ringop.c */
uint32_t kvd_member_mask(const struct kv_ring *r);
void kv_ring_change(struct daemon *d, const struct sockaddr_in *to,
		    const struct kvw_req *q);
void kv_follow_commit(struct daemon *d);
/* At start: take up the change begun before a restart, if any. */
void kvd_resume_change(struct daemon *d);

#endif
