/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The voting disk: a header block (the reservation: owner and epoch, the
 * fencing token; the replicated service's data) and one block per node
 * (its disk heart beat: a sequence number, term, role, time-stamp). The
 * device logic that refuses a write carrying an older epoch lives here,
 * pure, so the simulated disk and the daemon's disk file share it.
 */
#ifndef CL_DISK_H
#define CL_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CL_DISK_BLOCK	64
#define CL_DISK_SLOTS	16
#define CL_DISK_BYTES(n)	(((size_t)(n) + 1) * CL_DISK_BLOCK)

struct cl_disk_slot {
	bool valid;			/* false: never written or corrupt */
	uint8_t role;
	uint32_t seq;			/* bumped by every write of the node */
	uint64_t term;
	uint64_t stamp;			/* the writer's clock */
};

struct cl_disk_image {
	bool header_valid;
	uint8_t nslots;
	uint8_t owner;			/* holder of the reservation or 0xff */
	uint64_t epoch;			/* fencing token: highest reserved term */
	uint32_t renew;			/* bumped by each accepted reserve/renew */
	uint64_t data_epoch, data_value;	/* the service's block */
	struct cl_disk_slot slot[CL_DISK_SLOTS];
};

enum cl_disk_kind { CL_DISK_SLOT, CL_DISK_RESERVE, CL_DISK_RENEW, CL_DISK_DATA };

struct cl_disk_op {
	uint8_t kind, node, role;
	uint32_t seq;
	uint64_t epoch;			/* the fencing token the write carries */
	uint64_t value, stamp;
};

enum cl_disk_result {
	CL_DISK_OK,
	CL_DISK_STALE,			/* older epoch: the writer is fenced */
	CL_DISK_NOT_OWNER,		/* same epoch, someone else holds it */
	CL_DISK_IOERR,			/* the driver could not reach the disk */
	CL_DISK_CORRUPT,		/* header unreadable: refuse, keep it */
	CL_DISK_NRES,
};

void cl_disk_format(struct cl_disk_image *d, unsigned int nslots);
/*
 * The device: apply @op to @d. @enforce false is the broken variant that
 * skips the epoch check for renewals and data writes.
 */
enum cl_disk_result cl_disk_apply(struct cl_disk_image *d,
				  const struct cl_disk_op *op, bool enforce);
/* Serialise @d into CL_DISK_BYTES(nslots) bytes at @buf. */
void cl_disk_encode(const struct cl_disk_image *d, uint8_t *buf);
/*
 * Parse @len bytes into @d. Returns the number of corrupt blocks (their
 * contents marked invalid), or -1 when @len is not a whole disk.
 */
int cl_disk_decode(const uint8_t *buf, size_t len, struct cl_disk_image *d);
/* Encode one block (0 = header, 1 + i = slot i) into @blk. */
void cl_disk_encode_block(const struct cl_disk_image *d, unsigned int b,
			  uint8_t *blk);
uint32_t cl_crc32(const uint8_t *p, size_t len);
const char *cl_disk_result_name(unsigned int r);

#endif
