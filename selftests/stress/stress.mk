# SPDX-License-Identifier: GPL-2.0
# Hardening selftests (VM only): the ioctl fuzzer and the kill storm.
# Short defaults for make check; scripts/check-debug runs them longer
# through SMPKIT_FUZZ_CASES and SMPKIT_STORM_SECONDS.
STRESS_TESTS := fuzz_test storm_test offcpu_test
TESTS += $(addprefix stress/,$(STRESS_TESTS))
VM_TESTS += $(addprefix stress/,$(STRESS_TESTS))
STRESS_SRCS = selftests/stress/sutil.c $(RNG_SRCS) selftests/lib/kmod.c $(KTAP_SRCS) \
	      $(LIBWSCHED_SRCS) $(UTIL_SRCS)
fuzz_test_SRCS = selftests/stress/fuzz_test.c selftests/stress/fuzz_cases.c \
		 $(STRESS_SRCS)
storm_test_SRCS = selftests/stress/storm_test.c selftests/stress/storm_worker.c \
		  $(STRESS_SRCS)
offcpu_test_SRCS = selftests/stress/offcpu_test.c $(STRESS_SRCS)
