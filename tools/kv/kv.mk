# SPDX-License-Identifier: GPL-2.0
# The key-value store (Documentation/kv.rst): the sans-I/O core, the
# simulator and the smpkit-kv tool. KV_CORE_SRCS and KV_SIM_SRCS are what
# the selftests link, the same code the tool runs.
KV_CORE_SRCS = \
	tools/kv/core/hash.c \
	tools/kv/core/vv.c \
	tools/kv/core/obj.c \
	tools/kv/core/crdt.c \
	tools/kv/core/ring.c \
	tools/kv/core/merkle.c

KV_NODE_CORE_SRCS = \
	tools/kv/core/store.c \
	tools/kv/core/node.c \
	tools/kv/core/coord.c \
	tools/kv/core/repair.c \
	tools/kv/core/move.c \
	tools/kv/core/reap.c \
	$(KV_CORE_SRCS)

KV_SIM_SRCS = \
	tools/kv/sim/sim.c \
	tools/kv/sim/check.c \
	$(KV_NODE_CORE_SRCS)

PROGS += smpkit-kv
smpkit-kv_SRCS = \
	tools/kv/main.c \
	tools/kv/simcmd.c \
	tools/kv/ringcmd.c \
	tools/kv/client.c \
	tools/kv/node/daemon.c \
	tools/kv/node/ringop.c \
	tools/kv/node/disk.c \
	tools/kv/node/idem.c \
	tools/kv/node/front.c \
	tools/kv/node/wire.c \
	tools/kv/load/load.c \
	tools/kv/load/keys.c \
	tools/kv/load/drive.c \
	tools/kv/load/drive_ours.c \
	tools/kv/load/drive_redis.c \
	tools/kv/load/drive_etcd.c \
	tools/kv/load/check.c \
	tools/kv/load/hist.c \
	tools/kv/load/balance.c \
	tools/kv/load/bump.c \
	$(KV_SIM_SRCS) \
	$(UTIL_SRCS)
smpkit-kv_LDLIBS = -llmdb -lm
# smpkit-cluster runs the same simulator as "kv-sim" (one line in its main.c).
smpkit-cluster_SRCS += tools/kv/simcmd.c $(KV_SIM_SRCS)
