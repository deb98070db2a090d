# SPDX-License-Identifier: GPL-2.0
# tvmm selftests: the host test runs on this machine's /dev/kvm (PVM
# here), the VM test inside the rig on kvm-amd with npt=1 and npt=0;
# the CLI test checks --help and the refusals (shell); the wsched test
# runs two VMs under wsched-run in the rig (busybox sh); the abuse test
# (generated guests, mutated images, VM churn) runs in both places, and
# under valgrind on the host.
TESTS += tvmm/tvmm_host_test tvmm/tvmm_vm_test tvmm/tvmm_abuse_test
HOST_TESTS += tvmm/tvmm_host_test tvmm/tvmm_cli_test.sh tvmm/tvmm_abuse_test \
	tvmm/tvmm_valgrind_test.sh
VM_TESTS += tvmm/tvmm_vm_test tvmm/tvmm_wsched_test.sh tvmm/tvmm_abuse_test
SCRIPT_TESTS += tvmm/tvmm_cli_test.sh tvmm/tvmm_wsched_test.sh tvmm/tvmm_valgrind_test.sh
tvmm_host_test_SRCS = selftests/tvmm/tvmm_host_test.c selftests/tvmm/cases.c \
	$(TVMM_LIB_SRCS) $(KTAP_SRCS)
tvmm_vm_test_SRCS = selftests/tvmm/tvmm_vm_test.c selftests/tvmm/cases.c \
	$(TVMM_LIB_SRCS) $(KTAP_SRCS)
tvmm_abuse_test_SRCS = selftests/tvmm/tvmm_abuse_test.c selftests/tvmm/abuse.c \
	selftests/tvmm/cases.c $(RNG_SRCS) \
	$(TVMM_LIB_SRCS) $(KTAP_SRCS)
