# SPDX-License-Identifier: GPL-2.0
# The reference program quoted by Documentation/wsched.rst.
PROGS += wsched-example
wsched-example_SRCS = tools/examples/wsched-example.c $(LIBWSCHED_SRCS)
