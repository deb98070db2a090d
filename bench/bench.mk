# SPDX-License-Identifier: GPL-2.0
# The benchmark suite: one harness (bench/lib), one file per workload and
# the driver smpkit-bench that runs them under the stock scheduler and
# wsched; smpkit-cpumix is the CPU mix run as an unmodified program.
PROGS += smpkit-bench smpkit-cpumix

BENCH_LIB_SRCS = \
	bench/lib/clock.c \
	bench/lib/stats.c \
	bench/lib/sched.c \
	bench/lib/counters.c \
	bench/lib/team.c \
	bench/lib/window.c \
	bench/lib/meta.c \
	bench/lib/run.c \
	bench/lib/watchdog.c \
	$(LIBWSCHED_SRCS) \
	$(UTIL_SRCS)

smpkit-bench_SRCS = \
	bench/main.c \
	bench/imbalance.c \
	bench/affinity.c \
	bench/balance.c \
	bench/cache.c \
	bench/forkjoin.c \
	bench/wakeup.c \
	bench/handoff.c \
	bench/programs.c \
	$(BENCH_LIB_SRCS)
smpkit-bench_LDLIBS = -lm

smpkit-cpumix_SRCS = \
	bench/cpumix.c \
	$(UTIL_SRCS)
smpkit-cpumix_LDLIBS = -lm

# smpkit-bare: plain inline lock and RCU read loops, the reference of
# bench/peers/compare.sh for the locks probe (not installed).
PROGS += smpkit-bare
smpkit-bare_SRCS = bench/peers/bare.c
smpkit-bare_LDLIBS = -lurcu-memb -lpthread

# A parallel build run as an unmodified program (make and tcc, not built
# here: scripts/deps installs them, bench-vm carries them in).
PROGS += smpkit-cbuild
smpkit-cbuild_SRCS = \
	bench/cbuild.c \
	bench/cbuild_gen.c \
	$(UTIL_SRCS)
