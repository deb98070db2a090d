// SPDX-License-Identifier: GPL-2.0
/*
 * The partitioned service's state on a real node: one counter per
 * partition, kept as a journal of updates in a file per partition beside
 * the voting disk (DISK.jP, shared like the disk). A primary appends its
 * updates; a hot stand-by reads and applies what was appended every
 * tick; a cold one reads the whole backlog only when it takes over
 * (node_journal_catch_up(), timed). Each record carries the writer's
 * term and a CRC: a torn record ends the read, and a record of a term
 * older than one already applied is a deposed primary's late write and
 * is skipped, so the journal is fenced on read by the same epochs the
 * disk's token uses. Writes are not fsync-ed: the lab keeps the files in
 * tmpfs, and what a crash of the machine loses is out of its scope.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "node.h"

struct rec {
	uint64_t term;
	uint32_t seq;			/* the writer's count of its updates */
	uint32_t crc;			/* of the two fields above */
};

_Static_assert(sizeof(struct rec) == 16, "journal records are 16 bytes");

static uint32_t rec_crc(const struct rec *r)
{
	return cl_crc32((const uint8_t *)r, offsetof(struct rec, crc));
}

int node_journal_open(struct node_journal *j, const char *disk,
		      const struct cl_config *c, unsigned int ops, bool format)
{
	char path[4200];
	unsigned int p;

	memset(j, 0, sizeof(*j));
	j->parts = c->standby == CL_SB_NONE ? 0 : c->partitions;
	j->standby = c->standby;
	j->ops = ops;
	for (p = 0; p < j->parts; p++) {
		snprintf(path, sizeof(path), "%s.j%u", disk, p);
		j->fd[p] = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC |
				(format ? O_TRUNC : 0), 0600);
		if (j->fd[p] < 0)
			return -1;
	}
	return 0;
}

/* Apply what was appended since our last read; returns records read. */
static uint64_t tail(struct node_journal *j, unsigned int p)
{
	struct rec buf[256];
	uint64_t n = 0;
	ssize_t got;
	size_t k;

	for (;;) {
		got = pread(j->fd[p], buf, sizeof(buf), j->off[p]);
		if (got < (ssize_t)sizeof(buf[0]))
			return n;
		for (k = 0; k < (size_t)got / sizeof(buf[0]); k++) {
			if (rec_crc(&buf[k]) != buf[k].crc)
				return n;	/* torn: the writer is mid-way */
			j->off[p] += sizeof(buf[0]);
			n++;
			if (buf[k].term < j->term[p]) {
				j->fenced[p]++;
				continue;
			}
			j->term[p] = buf[k].term;
			j->value[p]++;
		}
	}
}

void node_journal_tick(struct node_journal *j, unsigned int serving,
		       unsigned int catching, uint64_t term)
{
	struct rec r[64];
	unsigned int p, k, n;

	for (p = 0; p < j->parts; p++) {
		if (serving & 1u << p) {
			n = j->ops < 64 ? j->ops : 64;
			for (k = 0; k < n; k++) {
				r[k].term = term;
				r[k].seq = ++j->written[p];
				r[k].crc = rec_crc(&r[k]);
			}
			/* read back like anyone's: O_APPEND may put others' first */
			if (write(j->fd[p], r, n * sizeof(r[0])) < 0)
				j->errors++;
			tail(j, p);
		} else if (j->standby == CL_SB_HOT && !(catching & 1u << p)) {
			tail(j, p);
		}
	}
}

uint64_t node_journal_catch_up(struct node_journal *j, unsigned int p,
			       uint64_t *us)
{
	struct timespec a, b;
	uint64_t n;

	clock_gettime(CLOCK_MONOTONIC, &a);
	n = p < j->parts ? tail(j, p) : 0;
	clock_gettime(CLOCK_MONOTONIC, &b);
	*us = (b.tv_sec - a.tv_sec) * 1000000ULL +
	      (b.tv_nsec - a.tv_nsec) / 1000;
	return n;
}

void node_journal_close(struct node_journal *j)
{
	unsigned int p;

	for (p = 0; p < j->parts; p++)
		close(j->fd[p]);
	j->parts = 0;
}
