/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The real node's pieces: its configuration (peers, timeouts, the disk
 * file, the fence agent) parsed from the command line, and the voting
 * disk as a file shared by every node (flock around each update, O_DIRECT
 * where the filesystem allows it).
 */
#ifndef CL_NODE_H
#define CL_NODE_H

#include <netinet/in.h>
#include <sys/types.h>
#include <stdbool.h>
#include <stdio.h>

#include "../core/core.h"

struct node_cfg {
	struct cl_config cl;
	unsigned int id;
	struct sockaddr_in peer[CL_WIRE_MAX_NODES];
	const char *disk, *state, *fence_cmd, *log;
	bool format;
	unsigned int duration;		/* seconds, 0: until SIGTERM */
	unsigned int ops;		/* journaled updates per tick */
	unsigned int watchdog;		/* ms, 0: no watchdog (cl.watchdog) */
};

/* Parse argv; on error write a sentence into @err and return -1. */
int node_cfg_parse(int argc, char **argv, struct node_cfg *nc, char *err,
		   size_t errlen);
void node_usage(FILE *f);

struct node_disk {
	int fd;
	bool direct;
	unsigned int n;
	void *buf;			/* 4096 bytes, aligned for O_DIRECT */
};

#define NODE_DISK_BYTES	4096

/* Open (and with @format create) the disk file; -1 with errno set. */
int node_disk_open(struct node_disk *d, const char *path, unsigned int n,
		   bool format);
/* Read and decode; returns corrupt blocks (>= 0) or -1 on I/O error. */
int node_disk_read(struct node_disk *d, struct cl_disk_image *img);
/* Apply @op under the file lock; an enum cl_disk_result. */
int node_disk_apply(struct node_disk *d, const struct cl_disk_op *op,
		    bool enforce, int *corrupt);
void node_disk_close(struct node_disk *d);

/* The service's state: a counter per partition journaled in DISK.jP. */
struct node_journal {
	unsigned int parts, ops;
	uint8_t standby;		/* enum cl_standby */
	int fd[CL_MAX_PARTS];
	off_t off[CL_MAX_PARTS];	/* read and applied up to here */
	uint64_t term[CL_MAX_PARTS];	/* newest term applied */
	uint64_t value[CL_MAX_PARTS];	/* the counter: updates applied */
	uint64_t fenced[CL_MAX_PARTS];	/* late records of older terms */
	uint32_t written[CL_MAX_PARTS];
	uint64_t errors;
};

/* Open (with @format: empty) the journals; -1 with errno set. */
int node_journal_open(struct node_journal *j, const char *disk,
		      const struct cl_config *c, unsigned int ops, bool format);
/* A tick: append for @serving, apply the others' (hot) unless @catching. */
void node_journal_tick(struct node_journal *j, unsigned int serving,
		       unsigned int catching, uint64_t term);
/* Apply the backlog of @p; returns records read, *@us the time taken. */
uint64_t node_journal_catch_up(struct node_journal *j, unsigned int p,
			       uint64_t *us);
void node_journal_close(struct node_journal *j);

/*
 * Fork the watchdog that SIGKILLs this process when node_watchdog_pet()
 * was not called for @ms; returns the fd to pet, -1 with errno set.
 */
int node_watchdog_start(unsigned int ms, unsigned int id);
void node_watchdog_pet(int fd);

#endif
