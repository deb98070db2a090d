// SPDX-License-Identifier: GPL-2.0
/*
 * Encoder and strict decoder of the cluster datagram (layout in wire.h).
 * The decoder never reads past @len, refuses any length but the exact one
 * the gossip count implies, and range-checks every node id and field, so
 * the protocol code behind it only ever sees well-formed messages.
 */
#include "wire.h"

#define CL_WIRE_STATES	4	/* alive, suspect, dead, left */
#define NOBODY		0xff

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] | (uint16_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

size_t cl_wire_encode(const struct cl_wire_msg *m, uint8_t *buf)
{
	unsigned int i, ng = m->ngossip;
	uint8_t *e;

	if (ng > CL_WIRE_GOSSIP)
		ng = CL_WIRE_GOSSIP;
	put16(buf, CL_WIRE_MAGIC);
	buf[2] = CL_WIRE_VERSION;
	buf[3] = m->type;
	put32(buf + 4, m->cluster_id);
	buf[8] = m->src;
	buf[9] = m->dst;
	buf[10] = ng;
	buf[11] = 0;
	put32(buf + 12, m->inc);
	put64(buf + 16, m->term);
	put32(buf + 24, m->seq);
	put32(buf + 28, 0);
	buf[32] = m->a;
	buf[33] = m->b;
	put16(buf + 34, m->c);
	put32(buf + 36, m->d);
	for (i = 0; i < ng; i++) {
		e = buf + CL_WIRE_HDR + i * CL_WIRE_ENTRY;
		e[0] = m->g[i].node;
		e[1] = m->g[i].state;
		put16(e + 2, 0);
		put32(e + 4, m->g[i].inc);
	}
	return CL_WIRE_HDR + ng * CL_WIRE_ENTRY;
}

static int node_or_nobody(unsigned int v, unsigned int n)
{
	return v < n || v == NOBODY;
}

/* A partition map: eight owners, each a node id or 0xf (none). */
static int owners_ok(uint32_t d, unsigned int n)
{
	unsigned int i, v;

	for (i = 0; i < 8; i++) {
		v = d >> (4 * i) & 0xf;
		if (v != 0xf && v >= n)
			return 0;
	}
	return 1;
}

/* The body fields each type may use; everything else must be zero. */
static int body_ok(const struct cl_wire_msg *m, unsigned int n)
{
	switch (m->type) {
	case CL_MSG_HB:
		return m->a >= 1 && m->a <= n && !m->b &&
		       (n >= 16 || !(m->c >> n)) && owners_ok(m->d, n);
	case CL_MSG_HB_ACK:
	case CL_MSG_PREVOTE_RESP:
	case CL_MSG_VOTE_RESP:
		return m->a <= 1 && !m->b && !m->c && !m->d;
	case CL_MSG_PING:
		return node_or_nobody(m->a, n) && !m->b && !m->c;
	case CL_MSG_ACK:
		return node_or_nobody(m->a, n) && node_or_nobody(m->b, n) &&
		       !m->c;
	case CL_MSG_PING_REQ:
		return m->a < n && m->a != m->src && !m->b && !m->c;
	default:
		return !m->a && !m->b && !m->c && !m->d;
	}
}

enum cl_wire_err cl_wire_decode(const uint8_t *buf, size_t len, uint32_t cid,
				unsigned int n, unsigned int me,
				struct cl_wire_msg *m)
{
	const uint8_t *e;
	unsigned int i;

	if (len < CL_WIRE_HDR)
		return CL_WIRE_SHORT;
	if (get16(buf) != CL_WIRE_MAGIC)
		return CL_WIRE_MAGIC_BAD;
	if (buf[2] != CL_WIRE_VERSION)
		return CL_WIRE_VERSION_BAD;
	m->type = buf[3];
	if (m->type < CL_MSG_HB || m->type > CL_MSG_MAX)
		return CL_WIRE_TYPE_BAD;
	m->cluster_id = get32(buf + 4);
	if (m->cluster_id != cid)
		return CL_WIRE_CLUSTER_BAD;
	m->src = buf[8];
	m->dst = buf[9];
	if (m->src >= n || m->dst != me || m->src == me)
		return CL_WIRE_NODE_BAD;
	m->ngossip = buf[10];
	if (m->ngossip > CL_WIRE_GOSSIP ||
	    len != CL_WIRE_HDR + (size_t)m->ngossip * CL_WIRE_ENTRY)
		return CL_WIRE_LONG;
	if (buf[11] || get32(buf + 28))
		return CL_WIRE_FIELD_BAD;
	m->inc = get32(buf + 12);
	m->term = get64(buf + 16);
	m->seq = get32(buf + 24);
	m->a = buf[32];
	m->b = buf[33];
	m->c = get16(buf + 34);
	m->d = get32(buf + 36);
	if (!body_ok(m, n))
		return CL_WIRE_FIELD_BAD;
	for (i = 0; i < m->ngossip; i++) {
		e = buf + CL_WIRE_HDR + i * CL_WIRE_ENTRY;
		m->g[i].node = e[0];
		m->g[i].state = e[1];
		m->g[i].inc = get32(e + 4);
		if (e[0] >= n || e[1] >= CL_WIRE_STATES || get16(e + 2))
			return CL_WIRE_FIELD_BAD;
	}
	return CL_WIRE_OK;
}

const char *cl_wire_err_name(unsigned int e)
{
	static const char *const names[CL_WIRE_NERR] = {
		"ok", "too short", "length disagrees with its gossip count",
		"bad magic", "unknown version", "unknown message type",
		"another cluster's id", "unknown sender or wrong destination",
		"reserved field set or field out of range",
	};

	return e < CL_WIRE_NERR ? names[e] : "?";
}

const char *cl_msg_name(unsigned int type)
{
	static const char *const names[] = {
		"?", "hb", "hb-ack", "prevote", "prevote-resp", "vote",
		"vote-resp", "ping", "ack", "ping-req", "join", "leave",
	};

	return type <= CL_MSG_MAX ? names[type] : "?";
}
