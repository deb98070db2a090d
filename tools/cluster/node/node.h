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

#endif
