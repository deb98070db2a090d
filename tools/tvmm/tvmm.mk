# SPDX-License-Identifier: GPL-2.0
# tvmm: the tiny KVM VMM (host side) and its guest mini-OS. The guest is
# built freestanding into $(BUILD)/guest/ with its own flags (never the
# sanitizers) and embedded into tvmm by guest_image.S (.incbin).
PROGS += tvmm

# The VMM without its main(): the selftests link the same objects.
TVMM_LIB_SRCS = \
	tools/tvmm/kvm.c \
	tools/tvmm/host.c \
	tools/tvmm/vm.c \
	tools/tvmm/longmode.c \
	tools/tvmm/cpuid_msr.c \
	tools/tvmm/image.c \
	tools/tvmm/guest_image.S \
	tools/tvmm/exit.c \
	tools/tvmm/ucall.c \
	tools/tvmm/regs.c \
	tools/tvmm/forward.c \
	tools/tvmm/traptable.c \
	tools/tvmm/stats.c \
	tools/tvmm/kvmstats.c \
	tools/tvmm/xlate.c \
	tools/tvmm/run.c \
	$(UTIL_SRCS)

tvmm_SRCS = \
	tools/tvmm/main.c \
	tools/tvmm/cmd_run.c \
	tools/tvmm/cmd_xlate.c \
	tools/tvmm/cmd_bench.c \
	tools/tvmm/cmd_idle.c \
	tools/tvmm/cmd_probe.c \
	$(TVMM_LIB_SRCS)

TVMM_GUEST_BIN = $(BUILD)/guest/tvmm-guest.bin
TVMM_GUEST_SRCS = \
	tools/tvmm/guest/head.S \
	tools/tvmm/guest/kernel.c \
	tools/tvmm/guest/trap.c \
	tools/tvmm/guest/process.c \
	tools/tvmm/guest/mm.c \
	tools/tvmm/guest/lib.c \
	tools/tvmm/guest/apic.c \
	tools/tvmm/guest/idle.c \
	tools/tvmm/guest/user.c
TVMM_GUEST_OBJS = $(patsubst tools/tvmm/guest/%,$(BUILD)/guest/%.o,$(basename $(TVMM_GUEST_SRCS)))
TVMM_GUEST_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Werror -m64 \
	-ffreestanding -fno-pic -fno-pie -mno-red-zone -mcmodel=small \
	-mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-builtin -fcf-protection=none -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-Itools/tvmm/guest -MMD -MP

$(BUILD)/guest/%.o: tools/tvmm/guest/%.c
	@mkdir -p $(@D)
	$(CC) $(TVMM_GUEST_CFLAGS) -c -o $@ $<

$(BUILD)/guest/%.o: tools/tvmm/guest/%.S
	@mkdir -p $(@D)
	$(CC) $(TVMM_GUEST_CFLAGS) -c -o $@ $<

$(BUILD)/guest/tvmm-guest.elf: $(TVMM_GUEST_OBJS) tools/tvmm/guest/guest.lds
	$(CC) -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-n -Wl,--no-warn-rwx-segments \
		-Wl,-T,tools/tvmm/guest/guest.lds -o $@ $(TVMM_GUEST_OBJS)

$(TVMM_GUEST_BIN): $(BUILD)/guest/tvmm-guest.elf
	objcopy -O binary $< $@

$(BUILD)/obj/tools/tvmm/guest_image.o: $(TVMM_GUEST_BIN)
$(BUILD)/obj/tools/tvmm/guest_image.o: CFLAGS += -DTVMM_GUEST_BIN=\"$(TVMM_GUEST_BIN)\"
tvmm_DEPS = $(TVMM_GUEST_BIN)

-include $(wildcard $(BUILD)/guest/*.d)
