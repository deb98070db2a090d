# SPDX-License-Identifier: GPL-2.0
# wsched selftests: they load the module, so they run in the VM rig; the
# policy test is pure userspace and runs on the host, and so does
# wsched-run's CLI test.
WSCHED_TESTS := module_test abi_test rr_test handoff_test fair_test steal_test \
	affinity_test lifecycle_test hotplug_test watchdog_test signal_test \
	unload_test sigtimer_test cpuset_test seecpus_test \
	sleeper_test wakeplace_test
TESTS += $(addprefix wsched/,$(WSCHED_TESTS))
VM_TESTS += $(addprefix wsched/,$(WSCHED_TESTS))
WUTIL_SRCS = selftests/wsched/wutil.c selftests/lib/kmod.c $(KTAP_SRCS) \
	     $(LIBWSCHED_SRCS) $(UTIL_SRCS)
module_test_SRCS = selftests/wsched/module_test.c selftests/lib/ktap.c selftests/lib/kmod.c
rr_test_SRCS = selftests/wsched/rr_test.c $(WUTIL_SRCS)
fair_test_SRCS = selftests/wsched/fair_test.c $(WUTIL_SRCS)
steal_test_SRCS = selftests/wsched/steal_test.c $(WUTIL_SRCS)
abi_test_SRCS = selftests/wsched/abi_test.c $(WUTIL_SRCS)
handoff_test_SRCS = selftests/wsched/handoff_test.c $(WUTIL_SRCS)
lifecycle_test_SRCS = selftests/wsched/lifecycle_test.c $(WUTIL_SRCS)
hotplug_test_SRCS = selftests/wsched/hotplug_test.c $(WUTIL_SRCS)
watchdog_test_SRCS = selftests/wsched/watchdog_test.c $(WUTIL_SRCS)
affinity_test_SRCS = selftests/wsched/affinity_test.c $(WUTIL_SRCS)
signal_test_SRCS = selftests/wsched/signal_test.c $(WUTIL_SRCS)
unload_test_SRCS = selftests/wsched/unload_test.c $(WUTIL_SRCS)
sigtimer_test_SRCS = selftests/wsched/sigtimer_test.c $(WUTIL_SRCS)
cpuset_test_SRCS = selftests/wsched/cpuset_test.c $(WUTIL_SRCS)
seecpus_test_SRCS = selftests/wsched/seecpus_test.c $(WUTIL_SRCS)
sleeper_test_SRCS = selftests/wsched/sleeper_test.c $(WUTIL_SRCS)
wakeplace_test_SRCS = selftests/wsched/wakeplace_test.c $(WUTIL_SRCS)
# wsched-run's exit statuses: the refusals on the host (no module
# needed), the command's statuses and the kernel's refusal in the rig.
SCRIPT_TESTS += wsched/wsched_run_cli_test.sh wsched/wsched_run_test.sh
HOST_TESTS += wsched/wsched_run_cli_test.sh
VM_TESTS += wsched/wsched_run_test.sh
# The module's policy source, unchanged, in a host test.
TESTS += wsched/policy_test
HOST_TESTS += wsched/policy_test
policy_test_SRCS = selftests/wsched/policy_test.c module/policy.c $(KTAP_SRCS)
policy_test_CFLAGS = -Imodule
policy_CFLAGS = -Imodule
