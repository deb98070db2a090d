// SPDX-License-Identifier: GPL-2.0
/*
 * smpkit-cluster: the cluster chapter's tool. One binary of its own (not
 * a subcommand of the probes' smpkit, which links libnuma and liburcu and
 * is another component): sim runs the deterministic simulator, node runs
 * one real node over UDP; the lab (tools/cluster/lab/) starts nodes in
 * network namespaces and injects faults with the system's own tools.
 */
#include <stdio.h>
#include <string.h>

#include <smpkit/util.h>

#include "cluster.h"
#include "../kv/cli.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: smpkit-cluster COMMAND [OPTIONS]\n"
"  sim    simulate seeded histories and check the invariants\n"
"  node   run one cluster node over UDP with a voting-disk file\n"
"  fence-kill  power off a node process named by a pid file (pidfd)\n"
"  fence-qemu  power off or reset a QEMU VM through its QMP socket\n"
"  kv-sim the key-value store's simulator (as smpkit-kv sim)\n"
"Each command answers --help. The lab that runs real nodes in network\n"
"namespaces is tools/cluster/lab/lab.sh (see Documentation/cluster.rst).\n");
}

int main(int argc, char **argv)
{
	smpkit_prog = "smpkit-cluster";
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "sim"))
		return cmd_sim(argc - 1, argv + 1);
	if (!strcmp(argv[1], "node"))
		return cmd_node(argc - 1, argv + 1);
	if (!strcmp(argv[1], "fence-kill"))
		return cmd_fence_kill(argc - 1, argv + 1);
	if (!strcmp(argv[1], "fence-qemu"))
		return cmd_fence_qemu(argc - 1, argv + 1);
	if (!strcmp(argv[1], "kv-sim"))
		return cmd_kv_sim(argc - 1, argv + 1);
	fprintf(stderr, "smpkit-cluster: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
