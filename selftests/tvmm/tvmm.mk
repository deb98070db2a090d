# SPDX-License-Identifier: GPL-2.0
# tvmm selftests: the host test runs on this machine's /dev/kvm (PVM
# here), the VM test inside the rig on kvm-amd with npt=1 and npt=0;
# the CLI test checks --help and the refusals (shell); the wsched test
# runs two VMs under wsched-run in the rig (busybox sh), the
# consolidation test busy and idle VMs side by side there; the abuse test
# (generated guests, mutated images, VM churn) runs in both places, and
# under valgrind on the host; the memcheck test runs tvmm under valgrind
# inside the rig, with valgrind carried in beside the tests.
TESTS += tvmm/tvmm_host_test tvmm/tvmm_vm_test tvmm/tvmm_abuse_test
# Not a test: the rig's keeper VM (kvmkeep.c), started by load-kvm.
TESTS += tvmm/kvmkeep
kvmkeep_SRCS = selftests/tvmm/kvmkeep.c
HOST_TESTS += tvmm/tvmm_host_test tvmm/tvmm_cli_test.sh tvmm/tvmm_abuse_test \
	tvmm/tvmm_valgrind_test.sh
VM_TESTS += tvmm/tvmm_vm_test tvmm/tvmm_wsched_test.sh tvmm/tvmm_abuse_test \
	tvmm/tvmm_memcheck_test.sh tvmm/tvmm_consolidation_test.sh
SCRIPT_TESTS += tvmm/tvmm_cli_test.sh tvmm/tvmm_wsched_test.sh tvmm/tvmm_valgrind_test.sh \
	tvmm/tvmm_memcheck_test.sh tvmm/tvmm_consolidation_test.sh
SCRIPT_LIBS += tvmm/valgrind/carried

# valgrind's launcher, memcheck and its preloads, copied where vm-run
# takes the selftests into the rig (it adds the ELFs' libraries, the
# host's ld.so among them), and ld.so's symbols from libc6-dbg under
# their build id (valgrind cannot start without them); the memcheck
# test SKIPs where this machine has no valgrind to copy.
TVMM_VG_FILES = /usr/bin/valgrind.bin \
	/usr/libexec/valgrind/memcheck-amd64-linux \
	/usr/libexec/valgrind/vgpreload_core-amd64-linux.so \
	/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so \
	/usr/libexec/valgrind/default.supp
TVMM_LDSO = /lib64/ld-linux-x86-64.so.2
$(BUILD)/selftests/tvmm/valgrind/carried:
	@mkdir -p $(@D)
	@for f in $(TVMM_VG_FILES); do [ ! -f $$f ] || cp $$f $(@D)/; done
	@id=$$(readelf -n $(TVMM_LDSO) 2>/dev/null | sed -n 's/.*Build ID: //p'); \
	 d=$${id%$${id#??}}; f=/usr/lib/debug/.build-id/$$d/$${id#??}.debug; \
	 if [ -n "$$id" ] && [ -f "$$f" ]; then \
		mkdir -p $(@D)/debug/.build-id/$$d && cp $$f $(@D)/debug/.build-id/$$d/; fi
	@touch $@
tvmm_host_test_SRCS = selftests/tvmm/tvmm_host_test.c selftests/tvmm/cases.c \
	$(TVMM_LIB_SRCS) $(KTAP_SRCS)
tvmm_vm_test_SRCS = selftests/tvmm/tvmm_vm_test.c selftests/tvmm/cases.c \
	$(TVMM_LIB_SRCS) $(KTAP_SRCS)
tvmm_abuse_test_SRCS = selftests/tvmm/tvmm_abuse_test.c selftests/tvmm/abuse.c \
	selftests/tvmm/cases.c $(RNG_SRCS) \
	$(TVMM_LIB_SRCS) $(KTAP_SRCS)
