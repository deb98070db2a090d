// SPDX-License-Identifier: GPL-2.0
/*
 * smpkit-kv: the key-value store's tool (Documentation/kv.rst). sim runs
 * the deterministic simulator, node one replica over UDP with its LMDB
 * store, ring prints the placement; the rest are client commands.
 */
#include <stdio.h>
#include <string.h>

#include <smpkit/util.h>

#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: smpkit-kv COMMAND [OPTIONS]\n"
"  sim      simulate seeded histories and check them\n"
"  node     run one store node over UDP, its data in LMDB\n"
"  ring     print the shards' owners; --join: keys moved vs ideal\n"
"  load     open-loop load with latency percentiles, retried\n"
"  check    judge the histories load --history wrote\n"
"  front    a stateless front-end server forwarding to the nodes\n"
"  bump     counter increments through front ends, balanced and retried\n"
"  get, put, del, counter, set, status, join, leave, commit, abort\n"
"           client and operator commands (--help)\n");
}

int main(int argc, char **argv)
{
	static const char *const client[] = {
		"get", "put", "del", "counter", "set", "status", "join", "leave",
		"commit", "abort", "junk",
	};
	unsigned int i;

	smpkit_prog = "smpkit-kv";
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "sim"))
		return cmd_kv_sim(argc - 1, argv + 1);
	if (!strcmp(argv[1], "node"))
		return cmd_kv_node(argc - 1, argv + 1);
	if (!strcmp(argv[1], "ring"))
		return cmd_kv_ring(argc - 1, argv + 1);
	if (!strcmp(argv[1], "load"))
		return cmd_kv_load(argc - 1, argv + 1);
	if (!strcmp(argv[1], "check"))
		return cmd_kv_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "front"))
		return cmd_kv_front(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bump"))
		return cmd_kv_bump(argc - 1, argv + 1);
	for (i = 0; i < sizeof(client) / sizeof(client[0]); i++)
		if (!strcmp(argv[1], client[i]))
			return cmd_kv_client(argc, argv);
	fprintf(stderr, "smpkit-kv: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
