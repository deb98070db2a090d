/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The subcommands of smpkit-kv, one file each: simcmd.c (sim), the node
 * daemon (node/daemon.c), the client commands (client.c) and the ring
 * report (ringcmd.c), the load generator (load/load.c) and its history
 * checker (load/check.c), the front end
 * (node/front.c) and its retrying client (load/bump.c). smpkit-cluster
 * runs the simulator as "kv-sim".
 */
#ifndef KV_CLI_H
#define KV_CLI_H

int cmd_kv_sim(int argc, char **argv);
int cmd_kv_node(int argc, char **argv);
int cmd_kv_client(int argc, char **argv);
int cmd_kv_ring(int argc, char **argv);
int cmd_kv_load(int argc, char **argv);
int cmd_kv_check(int argc, char **argv);
int cmd_kv_front(int argc, char **argv);
int cmd_kv_bump(int argc, char **argv);

#include <stdint.h>

/* CLOCK_MONOTONIC in microseconds. */
uint64_t kv_now_us(void);
/* Option value @s of @what in @min..@max; dies naming @prog otherwise. */
uint64_t kv_num(const char *prog, const char *s, const char *what,
		uint64_t min, uint64_t max);

struct sockaddr_in;
/* "IP:PORT" -> @a; 0, or -1 when malformed. */
int kv_parse_addr(const char *s, struct sockaddr_in *a);
/* "IP:PORT,..." -> @a: how many; dies naming @what when malformed or over @max. */
unsigned int kv_parse_addrs(const char *list, struct sockaddr_in *a,
			    unsigned int max, const char *what);

#endif
