# SPDX-License-Identifier: GPL-2.0
PROGS += wsched-run
wsched-run_SRCS = tools/wsched-run/main.c $(LIBWSCHED_SRCS) $(UTIL_SRCS)
