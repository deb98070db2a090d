// SPDX-License-Identifier: GPL-2.0
/*
 * The voting disk's device logic and its on-disk format. Reservations are
 * monotonic in the epoch, so at most one node ever holds a given epoch,
 * and renewals and data writes carrying an older epoch are refused: a
 * deposed master's late write cannot land (fencing by a reservable device).
 * Each 64-byte block ends in a CRC-32 so a torn or corrupt block is seen.
 */
#include <string.h>

#include "disk.h"

#define HDR_MAGIC	0x44565343u	/* "SCVD" */
#define SLOT_MAGIC	0x4c535343u	/* "SCSL" */
#define VERSION		1
#define CRC_AT		60

void cl_disk_format(struct cl_disk_image *d, unsigned int nslots)
{
	memset(d, 0, sizeof(*d));
	d->header_valid = true;
	d->nslots = nslots > CL_DISK_SLOTS ? CL_DISK_SLOTS : nslots;
	d->owner = 0xff;
}

enum cl_disk_result cl_disk_apply(struct cl_disk_image *d,
				  const struct cl_disk_op *op, bool enforce)
{
	struct cl_disk_slot *s;
	bool holds;

	if (op->kind == CL_DISK_SLOT) {
		if (op->node >= d->nslots)
			return CL_DISK_NOT_OWNER;
		s = &d->slot[op->node];
		s->valid = true;
		s->seq = op->seq;
		s->term = op->epoch;
		s->role = op->role;
		s->stamp = op->stamp;
		return CL_DISK_OK;
	}
	/* Without its token the disk cannot judge anybody: refuse. */
	if (!d->header_valid)
		return CL_DISK_CORRUPT;
	holds = op->epoch == d->epoch && op->node == d->owner;
	switch (op->kind) {
	case CL_DISK_RESERVE:
		if (op->epoch < d->epoch)
			return CL_DISK_STALE;
		if (op->epoch == d->epoch && op->node != d->owner)
			return CL_DISK_NOT_OWNER;
		d->epoch = op->epoch;
		d->owner = op->node;
		d->renew++;
		return CL_DISK_OK;
	case CL_DISK_RENEW:
	case CL_DISK_DATA:
		if (enforce && op->epoch < d->epoch)
			return CL_DISK_STALE;
		if (enforce && !holds)
			return CL_DISK_NOT_OWNER;
		if (op->kind == CL_DISK_RENEW) {
			if (holds)
				d->renew++;
		} else {
			d->data_epoch = op->epoch;
			d->data_value = op->value;
		}
		return CL_DISK_OK;
	}
	return CL_DISK_NOT_OWNER;
}

uint32_t cl_crc32(const uint8_t *p, size_t len)
{
	uint32_t c = 0xffffffffu;
	unsigned int k;

	while (len--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

void cl_disk_encode_block(const struct cl_disk_image *d, unsigned int b,
			  uint8_t *blk)
{
	const struct cl_disk_slot *s;

	memset(blk, 0, CL_DISK_BLOCK);
	if (b == 0) {
		put32(blk, HDR_MAGIC);
		blk[4] = VERSION;
		blk[5] = d->nslots;
		blk[6] = d->owner;
		put64(blk + 8, d->epoch);
		put32(blk + 16, d->renew);
		put64(blk + 24, d->data_epoch);
		put64(blk + 32, d->data_value);
	} else {
		s = &d->slot[b - 1];
		if (!s->valid)
			return;		/* an all-zero block: never written */
		put32(blk, SLOT_MAGIC);
		blk[4] = b - 1;
		blk[5] = s->role;
		put32(blk + 8, s->seq);
		put64(blk + 16, s->term);
		put64(blk + 24, s->stamp);
	}
	put32(blk + CRC_AT, cl_crc32(blk, CRC_AT));
}

void cl_disk_encode(const struct cl_disk_image *d, uint8_t *buf)
{
	unsigned int b;

	for (b = 0; b <= d->nslots; b++)
		cl_disk_encode_block(d, b, buf + b * CL_DISK_BLOCK);
}

static bool block_zero(const uint8_t *blk)
{
	unsigned int i;

	for (i = 0; i < CL_DISK_BLOCK; i++)
		if (blk[i])
			return false;
	return true;
}

static bool block_ok(const uint8_t *blk, uint32_t magic)
{
	return get32(blk) == magic &&
	       get32(blk + CRC_AT) == cl_crc32(blk, CRC_AT);
}

int cl_disk_decode(const uint8_t *buf, size_t len, struct cl_disk_image *d)
{
	const uint8_t *blk;
	struct cl_disk_slot *s;
	unsigned int b, n;
	int bad = 0;

	if (len < CL_DISK_BLOCK || len % CL_DISK_BLOCK)
		return -1;
	n = len / CL_DISK_BLOCK - 1;
	if (n > CL_DISK_SLOTS)
		return -1;
	memset(d, 0, sizeof(*d));
	d->nslots = n;
	d->owner = 0xff;
	if (block_ok(buf, HDR_MAGIC) && buf[4] == VERSION && buf[5] == n) {
		d->header_valid = true;
		d->owner = buf[6];
		d->epoch = get64(buf + 8);
		d->renew = get32(buf + 16);
		d->data_epoch = get64(buf + 24);
		d->data_value = get64(buf + 32);
	} else {
		bad++;
	}
	for (b = 1; b <= n; b++) {
		blk = buf + b * CL_DISK_BLOCK;
		s = &d->slot[b - 1];
		if (block_zero(blk))
			continue;
		if (!block_ok(blk, SLOT_MAGIC) || blk[4] != b - 1) {
			bad++;
			continue;
		}
		s->valid = true;
		s->role = blk[5];
		s->seq = get32(blk + 8);
		s->term = get64(blk + 16);
		s->stamp = get64(blk + 24);
	}
	return bad;
}

const char *cl_disk_result_name(unsigned int r)
{
	static const char *const names[CL_DISK_NRES] = {
		"ok", "stale epoch (fenced)", "not the owner", "I/O error",
		"corrupt header",
	};

	return r < CL_DISK_NRES ? names[r] : "?";
}
