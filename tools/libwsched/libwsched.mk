# SPDX-License-Identifier: GPL-2.0
# libwsched: linked into wsched-run, the benchmarks and the selftests.
LIBWSCHED_SRCS = tools/libwsched/libwsched.c \
		 tools/libwsched/print.c
