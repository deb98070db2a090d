# SPDX-License-Identifier: GPL-2.0
# Tests of the shared userspace helpers (host-native).
KTAP_SRCS = selftests/lib/ktap.c
TESTS += lib/util_test
HOST_TESTS += lib/util_test
util_test_SRCS = selftests/lib/util_test.c $(KTAP_SRCS) $(UTIL_SRCS)
