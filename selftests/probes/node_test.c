// SPDX-License-Identifier: GPL-2.0
/*
 * probes_node_test (in the 2-node VM): memory bound to each node from a
 * CPU of each node lands on the requested node, local and remote, as
 * move_pages() reports; a node past numa_max_node() is refused.
 */
#include <sys/wait.h>
#include <unistd.h>
#include <numa.h>

#include "../../tools/probes/probes.h"
#include "ktap.h"

int main(void)
{
	int nodes = nodes_count(), cpus[CPU_SETSIZE];
	size_t len = 16 << 20;
	int status;
	pid_t pid;

	if (numa_available() < 0 || nodes < 2)
		ktap_skip_all("needs 2 NUMA nodes (this machine has %d)",
			      nodes);
	ktap_plan(nodes * nodes + 1);
	clock_init();
	for (int cn = 0; cn < nodes; cn++) {
		if (!node_cpus(cn, cpus, CPU_SETSIZE)) {
			for (int mn = 0; mn < nodes; mn++)
				ktap_skip("node %d has no CPU", cn);
			continue;
		}
		pin_self(cpus[0]);
		for (int mn = 0; mn < nodes; mn++) {
			void *p = place_alloc(len, mn, false);
			double f = place_check(p, len, mn);

			ktap_ok(f == 1.0,
				"CPU %d (node %d), memory on node %d: %.0f%% there",
				cpus[0], cn, mn, 100 * f);
			place_free(p, len);
		}
	}
	pid = fork();
	if (pid == 0) {
		/* check_node() dies: its exit status is what we test. */
		close(2);
		check_node(nodes);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ktap_ok(WIFEXITED(status) && WEXITSTATUS(status) != 0,
		"node %d (past numa_max_node) is refused", nodes);
	return ktap_finish();
}
