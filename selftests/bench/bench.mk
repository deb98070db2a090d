# SPDX-License-Identifier: GPL-2.0
# The benchmark suite's own tests, host scripts: bench_test checks the
# report on canned results, then boots the VM for one short workload end
# to end; cbuild_test checks smpkit-cbuild here, then the programs
# workload's cbuild in one boot.
SCRIPT_TESTS += bench/bench_test.sh bench/cbuild_test.sh
HOST_TESTS += bench/bench_test.sh bench/cbuild_test.sh
