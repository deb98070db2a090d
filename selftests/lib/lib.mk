# SPDX-License-Identifier: GPL-2.0
# The selftests' shared helpers (C, and ktap.sh for the shell tests) and
# the tests of the userspace helpers (host-native).
KTAP_SRCS = selftests/lib/ktap.c
RNG_SRCS = selftests/lib/rng.c
TESTS += lib/util_test
HOST_TESTS += lib/util_test
util_test_SRCS = selftests/lib/util_test.c $(KTAP_SRCS) $(UTIL_SRCS)
SCRIPT_LIBS += lib/ktap.sh
