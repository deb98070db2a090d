# SPDX-License-Identifier: GPL-2.0
# Tests of the key-value store on the host: the core's data types (ring,
# versions, CRDTs, Merkle trees) and the load generator's histogram as
# unit and property tests; the simulator's seeds and the broken variants
# it must catch; the node daemon on loopback.
KV_TESTS := kv_ring_test kv_version_test kv_crdt_test kv_merkle_test \
	    kv_hist_test kv_balance_test
TESTS += $(addprefix kv/,$(KV_TESTS))
HOST_TESTS += $(addprefix kv/,$(KV_TESTS))

kv_ring_test_SRCS = selftests/kv/ring_test.c $(KTAP_SRCS) $(KV_CORE_SRCS)
kv_version_test_SRCS = selftests/kv/version_test.c $(KTAP_SRCS) $(RNG_SRCS) $(KV_CORE_SRCS)
kv_crdt_test_SRCS = selftests/kv/crdt_test.c $(KTAP_SRCS) $(RNG_SRCS) $(KV_CORE_SRCS)
kv_merkle_test_SRCS = selftests/kv/merkle_test.c $(KTAP_SRCS) $(RNG_SRCS) $(KV_CORE_SRCS)
kv_hist_test_SRCS = selftests/kv/hist_test.c $(KTAP_SRCS) $(RNG_SRCS) tools/kv/load/hist.c
kv_balance_test_SRCS = selftests/kv/balance_test.c $(KTAP_SRCS) tools/kv/load/balance.c

KV_SIM_TESTS := kv_sim_test kv_mutation_test kv_codec_test kv_cleanup_test
TESTS += $(addprefix kv/,$(KV_SIM_TESTS))
HOST_TESTS += $(addprefix kv/,$(KV_SIM_TESTS))
kv_sim_test_SRCS = selftests/kv/sim_test.c $(KTAP_SRCS) $(KV_SIM_SRCS)
kv_codec_test_SRCS = selftests/kv/codec_test.c $(KTAP_SRCS) $(RNG_SRCS) \
	tools/kv/node/wire.c $(KV_NODE_CORE_SRCS)
kv_cleanup_test_SRCS = selftests/kv/cleanup_test.c $(KTAP_SRCS) $(KV_NODE_CORE_SRCS)
kv_mutation_test_SRCS = selftests/kv/mutation_test.c $(KTAP_SRCS) $(KV_SIM_SRCS)

KV_SCRIPTS := kv_node_test.sh kv_join_test.sh kv_lab_test.sh kv_front_test.sh \
	      kv_disk_full_test.sh kv_leave_test.sh kv_hints_test.sh \
	      kv_retry_test.sh kv_check_test.sh kv_load_retry_test.sh \
	      kv_nemesis_test.sh kv_tomb_test.sh kv_change_test.sh
SCRIPT_TESTS += $(addprefix kv/,$(KV_SCRIPTS))
SCRIPT_LIBS += kv/kvlib.sh
HOST_TESTS += $(addprefix kv/,$(KV_SCRIPTS))
