# SPDX-License-Identifier: GPL-2.0
# smpkit probes: one CLI (build/bin/smpkit) with a subcommand per probe.
# PROBES_LIB_SRCS is everything but main(), so selftests link the same
# harness, chase and lock code the tool measures with.
PROGS += smpkit

PROBES_LIB_SRCS = \
	tools/probes/harness.c \
	tools/probes/machine.c \
	tools/probes/numa_place.c \
	tools/probes/output.c \
	tools/probes/plot.c \
	tools/probes/chase.c \
	tools/probes/team.c \
	tools/probes/bw.c \
	tools/probes/lock_table.c \
	tools/probes/lock_bench.c \
	tools/probes/rw_bench.c \
	$(UTIL_SRCS)

smpkit_SRCS = \
	tools/probes/main.c \
	tools/probes/topo.c \
	tools/probes/memlat.c \
	tools/probes/c2c.c \
	tools/probes/locks.c \
	tools/probes/queues.c \
	tools/probes/matrix.c \
	tools/probes/report.c \
	$(PROBES_LIB_SRCS)

PROBES_LDLIBS = -lnuma -lurcu-memb -lm
smpkit_LDLIBS = $(PROBES_LDLIBS)
