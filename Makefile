# SPDX-License-Identifier: GPL-2.0
SHELL := /bin/bash
# smpkit: thin wrapper around Kbuild (the module) and pattern rules (the
# userspace programs and selftests). Components add themselves through
# their own *.mk fragments (what they fill in is listed above PROGS).
#
#   make            module + userspace + selftests into build/
#   make C=1        also run sparse on the module
#   make check      install what is missing, build, run every test suite
#   make run        the main job (in the VM by default)
#   make KDIR=/lib/modules/$(uname -r)/build   module for a real host
#   make install [PREFIX=/usr/local] [DESTDIR=]  programs, libwsched, man
#                   pages, docs; make uninstall removes them (install.rst)

KERNEL    ?= 6.1
# The one place the version lives: dkms.conf, libwsched's soname file,
# libwsched.pc and the man pages take it from here.
VERSION   := $(shell cat VERSION)
BUILD     ?= build
SMPKIT_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/smpkit
export SMPKIT_CACHE

VM_KVER   = $(shell cat $(SMPKIT_CACHE)/kernels/$(KERNEL)/kver 2>/dev/null)
ifeq ($(origin KDIR),undefined)
# A kernel built here (the debug kernel) keeps its build tree in the cache;
# Debian's kernels have their linux-headers package.
KDIR      = $(if $(wildcard $(SMPKIT_CACHE)/kernels/$(KERNEL)/build/Makefile),$(SMPKIT_CACHE)/kernels/$(KERNEL)/build,/usr/src/linux-headers-$(VM_KVER))
KDIR_FROM_VM = 1
endif
KREL      = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)

CC        ?= cc
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread \
	     -Imodule/include -Itools/include -Iselftests/lib -MMD -MP
LDFLAGS   += -pthread
ifeq ($(SAN),1)
BUILD     := build/san
CFLAGS    += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS   += -fsanitize=address,undefined
endif

# Filled in by the fragments: PROGS (into $(BUILD)/bin), TESTS (into
# $(BUILD)/selftests, each also named in HOST_TESTS or VM_TESTS), shell
# tests in SCRIPT_TESTS and what they source in SCRIPT_LIBS, libraries
# in LIBS, man pages in MAN_PAGES, and <name>_SRCS / <name>_LDLIBS per
# program or test. scripts/install.mk installs them.
PROGS :=
TESTS :=
# The fragments define rules of their own before "all" is: without this,
# plain "make" built the first of them (tvmm's guest ELF, later the man
# pages) instead of everything.
.DEFAULT_GOAL := all
HOST_TESTS :=
VM_TESTS :=
SCRIPT_TESTS :=
SCRIPT_LIBS :=
LIBS :=
include $(sort $(wildcard tools/*/*.mk selftests/*/*.mk bench/*.mk Documentation/*/*.mk))
include scripts/install.mk scripts/dkms.mk scripts/sign.mk

objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(filter %.c,$(1))) \
       $(patsubst %.S,$(BUILD)/obj/%.o,$(filter %.S,$(1)))

define link_rule
$(2): $(call objs,$($(1)_SRCS)) $($(1)_DEPS)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $$($(1)_LDLIBS)
endef
$(foreach p,$(PROGS),$(eval $(call link_rule,$(p),$(BUILD)/bin/$(p))))
$(foreach t,$(TESTS),$(eval $(call link_rule,$(notdir $(t)),$(BUILD)/selftests/$(t))))

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $($(notdir $*)_CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Shell tests (and what they source) are copied as they are.
$(BUILD)/selftests/%.sh: selftests/%.sh
	@mkdir -p $(@D)
	install -m 755 $< $@

TEST_FILES = $(addprefix $(BUILD)/selftests/,$(TESTS) $(SCRIPT_TESTS) $(SCRIPT_LIBS))

.PHONY: all module userspace selftests check check-host check-vm check-debug run deps \
	style clean kernel-check

all: module userspace selftests

userspace: $(addprefix $(BUILD)/bin/,$(PROGS))

selftests: $(TEST_FILES) $(BUILD)/selftests/host.list $(BUILD)/selftests/vm.list \
	$(BUILD)/selftests/run-vm

$(BUILD)/selftests/host.list: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' $(HOST_TESTS) >$@.tmp && \
		(cmp -s $@.tmp $@ || mv $@.tmp $@); rm -f $@.tmp
$(BUILD)/selftests/vm.list: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' $(VM_TESTS) >$@.tmp && \
		(cmp -s $@.tmp $@ || mv $@.tmp $@); rm -f $@.tmp
$(BUILD)/selftests/run-vm: selftests/run-vm
	install -m 755 $< $@

# --- the module, built in a copy under build/kmod/<release>/ so that both
# VM kernels (and a host's) can be built side by side from one tree.
kernel-check:
ifdef KDIR_FROM_VM
	@test -n "$(VM_KVER)" || { echo "make: VM kernel $(KERNEL) is not fetched: run scripts/deps (make check does)" >&2; exit 1; }
endif
	@test -f $(KDIR)/Makefile || { echo "make: no kernel build tree at KDIR=$(KDIR): install its linux-headers package (scripts/deps)" >&2; exit 1; }
ifdef KDIR_FROM_VM
	@test "$(KREL)" = "$(VM_KVER)" || { echo "make: headers in $(KDIR) are $(KREL) but the VM kernel $(KERNEL) is $(VM_KVER): run scripts/deps" >&2; exit 1; }
endif

module: kernel-check
	@mkdir -p $(BUILD)/kmod/$(KREL)
	@cp Kbuild $(BUILD)/kmod/$(KREL)/
	@mkdir -p $(BUILD)/kmod/$(KREL)/module
	@cp -a module/. $(BUILD)/kmod/$(KREL)/module/
	$(MAKE) -C $(KDIR) M=$(abspath $(BUILD)/kmod/$(KREL)) W=1 \
		$(if $(C),C=2 CHECK="sparse -Wno-decl") modules 2>&1 | \
		grep -v 'Skipping BTF generation' ; test $${PIPESTATUS[0]} = 0
	@ln -sfn kmod/$(KREL)/module/wsched.ko $(BUILD)/wsched.ko

deps:
	@scripts/deps --quiet

# make check: every suite on the host and both VM kernels, then the
# debug-kernel tier; scripts/check prints the verdict.
check: deps
	@echo "check: building everything, the module for 6.1 and 6.12, and the ASan+UBSan tree (a few minutes)"
	$(MAKE) all KERNEL=6.1
	$(MAKE) module KERNEL=6.12
	$(MAKE) userspace selftests SAN=1
	scripts/check

# The debug-kernel tier (KASAN, lockdep, ...): see Documentation/testing.rst.
check-debug: deps
	scripts/check-debug

check-host: all
	selftests/run --host-only

check-vm: deps all
	selftests/run --vm-only --kernel $(KERNEL)

run: deps all
	scripts/smpkit-run

style:
	scripts/style

clean:
	rm -rf build

FORCE:

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
