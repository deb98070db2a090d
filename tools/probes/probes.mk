# SPDX-License-Identifier: GPL-2.0
# smpkit probes: one CLI (build/bin/smpkit) with a subcommand per probe.
# PROBES_LIB_SRCS is everything but main(), so selftests link the same
# harness, chase and lock code the tool measures with.
PROGS += smpkit

PROBES_LIB_SRCS = \
	tools/probes/harness.c \
	tools/probes/machine.c \
	tools/probes/caches.c \
	tools/probes/cache_cpuid.c \
	tools/probes/numa_place.c \
	tools/probes/thp.c \
	tools/probes/output.c \
	tools/probes/plot.c \
	tools/probes/plot_latency.c \
	tools/probes/plot_heatmap.c \
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

# Dynamic: the VM rig (scripts/vm-run) copies each binary's shared
# libraries by ldd, and Debian ships no static libudev for libhwloc.a.
PROBES_LDLIBS = -lhwloc -lnuma -lurcu-memb -lm
smpkit_LDLIBS = $(PROBES_LDLIBS)
