# SPDX-License-Identifier: GPL-2.0
# Tests of the cluster chapter on the host: simulator seeds, the broken
# variants the checker must catch, the codec and disk format under a
# replayable fuzzer, quorum rules, the CLI, the daemon on loopback and
# the real 3-node lab in namespaces; in the VM rig, a node made too busy
# by a CPU hog in its wsched group.
CLUSTER_TESTS := cluster_sim_test cluster_mutation_test cluster_codec_test \
		 cluster_quorum_test
TESTS += $(addprefix cluster/,$(CLUSTER_TESTS))
HOST_TESTS += $(addprefix cluster/,$(CLUSTER_TESTS))
CLUSTER_SCRIPTS := cluster_cli_test.sh cluster_node_test.sh cluster_lab_test.sh \
		   cluster_fence_test.sh
SCRIPT_TESTS += $(addprefix cluster/,$(CLUSTER_SCRIPTS))
SCRIPT_LIBS += cluster/cllib.sh
# in the VM rig: a node too busy to run, made by wsched (the module is there)
SCRIPT_TESTS += cluster/cluster_busy_test.sh
VM_TESTS += cluster/cluster_busy_test.sh
HOST_TESTS += $(addprefix cluster/,$(CLUSTER_SCRIPTS))

cluster_sim_test_SRCS = selftests/cluster/sim_test.c $(KTAP_SRCS) $(CLUSTER_SIM_SRCS)
cluster_mutation_test_SRCS = selftests/cluster/mutation_test.c $(KTAP_SRCS) $(CLUSTER_SIM_SRCS)
cluster_codec_test_SRCS = selftests/cluster/codec_test.c $(KTAP_SRCS) $(RNG_SRCS) $(CLUSTER_CORE_SRCS)
cluster_quorum_test_SRCS = selftests/cluster/quorum_test.c $(KTAP_SRCS) $(CLUSTER_SIM_SRCS)
