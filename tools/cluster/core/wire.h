/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cluster datagram: a fixed 32-byte header, an 8-byte body whose
 * fields each message type gives a meaning, and up to CL_WIRE_GOSSIP
 * piggy-backed membership updates. Little-endian on the wire; the decoder
 * checks every field against the configuration before anything trusts it.
 */
#ifndef CL_WIRE_H
#define CL_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define CL_WIRE_MAGIC		0x5343		/* "SC" */
#define CL_WIRE_VERSION		1
#define CL_WIRE_MAX_NODES	16
#define CL_WIRE_GOSSIP		6
#define CL_WIRE_HDR		40		/* header and body */
#define CL_WIRE_ENTRY		8
#define CL_WIRE_MAX		(CL_WIRE_HDR + CL_WIRE_GOSSIP * CL_WIRE_ENTRY)

enum cl_msg_type {
	CL_MSG_HB = 1,		/* master -> all: a expected, c active map,
				 * d partition owners (4 bits each) */
	CL_MSG_HB_ACK,		/* -> master: a 1 when refusing (newer term) */
	CL_MSG_PREVOTE,		/* term is the term it would stand in */
	CL_MSG_PREVOTE_RESP,	/* a: granted */
	CL_MSG_VOTE,
	CL_MSG_VOTE_RESP,	/* a: granted */
	CL_MSG_PING,		/* a: origin of an indirect probe, d its seq */
	CL_MSG_ACK,		/* a, d echoed; b: the target when relayed */
	CL_MSG_PING_REQ,	/* a: target */
	CL_MSG_JOIN,
	CL_MSG_LEAVE,
	CL_MSG_MAX = CL_MSG_LEAVE,
};

struct cl_wire_gossip {
	uint8_t node, state;
	uint32_t inc;
};

struct cl_wire_msg {
	uint8_t type, src, dst, ngossip;
	uint32_t cluster_id, inc, seq;
	uint64_t term;
	uint8_t a, b;
	uint16_t c;
	uint32_t d;
	struct cl_wire_gossip g[CL_WIRE_GOSSIP];
};

enum cl_wire_err {
	CL_WIRE_OK,
	CL_WIRE_SHORT,		/* fewer bytes than a header */
	CL_WIRE_LONG,		/* length disagrees with the gossip count */
	CL_WIRE_MAGIC_BAD,
	CL_WIRE_VERSION_BAD,
	CL_WIRE_TYPE_BAD,
	CL_WIRE_CLUSTER_BAD,	/* another cluster's datagram */
	CL_WIRE_NODE_BAD,	/* unknown sender or not for me */
	CL_WIRE_FIELD_BAD,	/* reserved bits set or a field out of range */
	CL_WIRE_NERR,
};

/* Returns the length written (at most CL_WIRE_MAX). */
size_t cl_wire_encode(const struct cl_wire_msg *m, uint8_t *buf);
/*
 * Decodes @len bytes for node @me of a cluster of @n nodes with id @cid.
 * Returns CL_WIRE_OK and fills @m, or the first check that failed.
 */
enum cl_wire_err cl_wire_decode(const uint8_t *buf, size_t len, uint32_t cid,
				unsigned int n, unsigned int me,
				struct cl_wire_msg *m);
const char *cl_wire_err_name(unsigned int e);
const char *cl_msg_name(unsigned int type);

#endif
