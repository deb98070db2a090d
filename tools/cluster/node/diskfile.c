// SPDX-License-Identifier: GPL-2.0
/*
 * The voting disk as a file: one 4 KiB region (the image of disk.h padded
 * to what O_DIRECT needs), read whole, updated under flock(LOCK_EX) so the
 * read-check-write of a reservation is atomic between nodes sharing the
 * file, and written back only in the block the operation owns, so a
 * node's write never rewrites someone else's corrupt block as valid.
 * O_DIRECT bypasses the page cache where the filesystem allows it; else
 * O_DSYNC writes through to the device all the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define LOCK_TRIES	20	/* x 1 ms */

#include "node.h"

int node_disk_open(struct node_disk *d, const char *path, unsigned int n,
		   bool format)
{
	struct cl_disk_image img;
	int flags = O_RDWR | O_DSYNC | (format ? O_CREAT : 0);

	memset(d, 0, sizeof(*d));
	d->n = n;
	if (posix_memalign(&d->buf, NODE_DISK_BYTES, NODE_DISK_BYTES))
		return -1;
	d->fd = open(path, flags | O_DIRECT, 0644);
	d->direct = d->fd >= 0;
	if (d->fd < 0 && errno == EINVAL)
		d->fd = open(path, flags, 0644);
	if (d->fd < 0)
		return -1;
	if (!format)
		return 0;
	memset(d->buf, 0, NODE_DISK_BYTES);
	cl_disk_format(&img, n);
	cl_disk_encode(&img, d->buf);
	if (flock(d->fd, LOCK_EX) ||
	    pwrite(d->fd, d->buf, NODE_DISK_BYTES, 0) != NODE_DISK_BYTES) {
		flock(d->fd, LOCK_UN);
		return -1;
	}
	flock(d->fd, LOCK_UN);
	return 0;
}

static int load(struct node_disk *d, struct cl_disk_image *img)
{
	ssize_t r = pread(d->fd, d->buf, NODE_DISK_BYTES, 0);

	if (r != NODE_DISK_BYTES) {
		if (r >= 0)
			errno = EIO;	/* a short disk file */
		return -1;
	}
	return cl_disk_decode(d->buf, CL_DISK_BYTES(d->n), img);
}

/*
 * Readers take no lock: a node stopped (SIGSTOP, a pause) inside a locked
 * read would hold up every writer. A read torn by a concurrent write fails
 * its block's CRC and counts as unreadable this once.
 */
int node_disk_read(struct node_disk *d, struct cl_disk_image *img)
{
	return load(d, img);
}

/*
 * Writers wait for the lock a bounded time, never forever: a node stopped
 * inside the critical section must cost the others a failed disk
 * operation (which the core survives), not their whole event loop.
 */
static int lock_bounded(struct node_disk *d)
{
	struct timespec ms = { 0, 1000000 };
	int i;

	for (i = 0; i < LOCK_TRIES; i++) {
		if (!flock(d->fd, LOCK_EX | LOCK_NB))
			return 0;
		if (errno != EWOULDBLOCK)
			return -1;
		nanosleep(&ms, NULL);
	}
	errno = EWOULDBLOCK;
	return -1;
}

int node_disk_apply(struct node_disk *d, const struct cl_disk_op *op,
		    bool enforce, int *corrupt)
{
	struct cl_disk_image img;
	unsigned int b;
	int res;

	*corrupt = 0;
	if (lock_bounded(d))
		return CL_DISK_IOERR;
	*corrupt = load(d, &img);
	if (*corrupt < 0) {
		flock(d->fd, LOCK_UN);
		return CL_DISK_IOERR;
	}
	res = cl_disk_apply(&img, op, enforce);
	if (res == CL_DISK_OK) {
		b = op->kind == CL_DISK_SLOT ? op->node + 1 : 0;
		cl_disk_encode_block(&img, b,
				     (uint8_t *)d->buf + b * CL_DISK_BLOCK);
		if (pwrite(d->fd, d->buf, NODE_DISK_BYTES, 0) != NODE_DISK_BYTES)
			res = CL_DISK_IOERR;
	}
	flock(d->fd, LOCK_UN);
	return res;
}

void node_disk_close(struct node_disk *d)
{
	if (d->fd >= 0)
		close(d->fd);
	free(d->buf);
}
