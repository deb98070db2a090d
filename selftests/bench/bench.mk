# SPDX-License-Identifier: GPL-2.0
# The benchmark suite's own test: a host script that checks the report on
# canned results, then boots the VM for one short workload end to end.
SCRIPT_TESTS += bench/bench_test.sh
HOST_TESTS += bench/bench_test.sh
