# SPDX-License-Identifier: GPL-2.0
# wsched selftests: they load the module, so they run in the VM rig.
TESTS += wsched/module_test
VM_TESTS += wsched/module_test
module_test_SRCS = selftests/wsched/module_test.c selftests/lib/ktap.c selftests/lib/kmod.c
