/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The subcommands of smpkit-kv, one file each: simcmd.c (sim), the node
 * daemon (node/daemon.c), the client commands (client.c) and the ring
 * report (ringcmd.c), the load generator (load/load.c). smpkit-cluster runs the simulator as "kv-sim".
 */
#ifndef KV_CLI_H
#define KV_CLI_H

int cmd_kv_sim(int argc, char **argv);
int cmd_kv_node(int argc, char **argv);
int cmd_kv_client(int argc, char **argv);
int cmd_kv_ring(int argc, char **argv);
int cmd_kv_load(int argc, char **argv);

struct sockaddr_in;
/* "IP:PORT" -> @a; 0, or -1 when malformed. */
int kv_parse_addr(const char *s, struct sockaddr_in *a);

#endif
