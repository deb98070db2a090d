# SPDX-License-Identifier: GPL-2.0
# Tests of the smpkit probes: lock exclusion, the chase permutation,
# pinning and placement, the CPUID cache decoders, the huge-page check
# on the host; node
# placement in the 2-node VM; the CLI's JSON and its refusals of bad
# options, --plot that never reaches stdout, caches and the "not DRAM"
# guard on every machine, readable pictures, measured loops free of
# calls per operation, the plain-loop reference of compare.sh (shell).
TESTS += probes/probes_lock_test probes/probes_chase_test \
	 probes/probes_pin_test probes/probes_node_test \
	 probes/probes_cache_test probes/probes_thp_test
SCRIPT_TESTS += probes/probes_cli_test.sh probes/probes_plot_test.sh \
		probes/probes_caches_test.sh probes/probes_picture_test.sh \
		probes/probes_loop_test.sh probes/probes_bare_test.sh
HOST_TESTS += probes/probes_lock_test probes/probes_chase_test \
	      probes/probes_pin_test probes/probes_cache_test \
	      probes/probes_thp_test \
	      probes/probes_cli_test.sh probes/probes_plot_test.sh \
	      probes/probes_caches_test.sh probes/probes_picture_test.sh \
	      probes/probes_loop_test.sh probes/probes_bare_test.sh
VM_TESTS += probes/probes_node_test

probes_lock_test_SRCS = selftests/probes/lock_test.c $(KTAP_SRCS) $(PROBES_LIB_SRCS)
probes_chase_test_SRCS = selftests/probes/chase_test.c $(KTAP_SRCS) $(PROBES_LIB_SRCS)
probes_pin_test_SRCS = selftests/probes/pin_test.c $(KTAP_SRCS) $(PROBES_LIB_SRCS)
probes_node_test_SRCS = selftests/probes/node_test.c $(KTAP_SRCS) $(PROBES_LIB_SRCS)
probes_cache_test_SRCS = selftests/probes/cache_test.c $(KTAP_SRCS) $(PROBES_LIB_SRCS)
probes_lock_test_LDLIBS = $(PROBES_LDLIBS)
probes_chase_test_LDLIBS = $(PROBES_LDLIBS)
probes_pin_test_LDLIBS = $(PROBES_LDLIBS)
probes_node_test_LDLIBS = $(PROBES_LDLIBS)
probes_cache_test_LDLIBS = $(PROBES_LDLIBS)
probes_thp_test_SRCS = selftests/probes/thp_test.c $(KTAP_SRCS) $(PROBES_LIB_SRCS)
probes_thp_test_LDLIBS = $(PROBES_LDLIBS)
