# SPDX-License-Identifier: GPL-2.0
# Shared userspace helpers: list UTIL_SRCS in a program's _SRCS.
UTIL_SRCS = tools/lib/util.c
