# SPDX-License-Identifier: GPL-2.0
# The cluster chapter: the sans-I/O core, the simulator, the UDP node and
# the smpkit-cluster CLI. CLUSTER_CORE_SRCS and CLUSTER_SIM_SRCS are what
# the selftests link, the same code the tool runs.
PROGS += smpkit-cluster

CLUSTER_CORE_SRCS = \
	tools/cluster/core/wire.c \
	tools/cluster/core/disk.c \
	tools/cluster/core/quorum.c \
	tools/cluster/core/member.c \
	tools/cluster/core/elect.c \
	tools/cluster/core/service.c \
	tools/cluster/core/node.c

CLUSTER_SIM_SRCS = \
	tools/cluster/sim/sim.c \
	tools/cluster/sim/nemesis.c \
	tools/cluster/sim/check.c \
	$(CLUSTER_CORE_SRCS)

CLUSTER_NODE_SRCS = \
	tools/cluster/node/daemon.c \
	tools/cluster/node/diskfile.c \
	tools/cluster/node/journal.c \
	tools/cluster/node/nodecfg.c \
	tools/cluster/node/fencekill.c \
	tools/cluster/node/fenceqemu.c \
	tools/cluster/node/watchdog.c

smpkit-cluster_SRCS = \
	tools/cluster/main.c \
	tools/cluster/simcmd.c \
	$(CLUSTER_NODE_SRCS) \
	$(CLUSTER_SIM_SRCS) \
	$(UTIL_SRCS)
