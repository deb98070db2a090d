# SPDX-License-Identifier: GPL-2.0
# The peer comparison's client ("smpkit-kv load --backend") against fake
# redis and etcd servers, and against the real ones where installed.
SCRIPT_TESTS += kv/kv_drive_test.sh
HOST_TESTS += kv/kv_drive_test.sh
