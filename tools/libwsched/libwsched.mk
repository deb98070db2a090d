# SPDX-License-Identifier: GPL-2.0
# libwsched: linked into wsched-run, the benchmarks and the selftests from
# its sources; also built as libwsched.so.$(VERSION) (soname
# libwsched.so.$(LIBWSCHED_ABI)) and libwsched.a for other programs,
# from position-independent objects of their own.
LIBWSCHED_SRCS = tools/libwsched/libwsched.c \
		 tools/libwsched/print.c

# Bump with any incompatible change of libwsched.h (the package is then
# libwsched$(LIBWSCHED_ABI)); additions keep it.
LIBWSCHED_ABI = 0
LIBWSCHED_SO = $(BUILD)/lib/libwsched.so.$(VERSION)
LIBWSCHED_A = $(BUILD)/lib/libwsched.a
LIBWSCHED_PIC_OBJS = $(patsubst %.c,$(BUILD)/pic/%.o,$(LIBWSCHED_SRCS))
LIBS += $(LIBWSCHED_SO) $(LIBWSCHED_A)

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -c -o $@ $<

# Only the wsched_* functions of libwsched.h are exported.
$(LIBWSCHED_SO): $(LIBWSCHED_PIC_OBJS) tools/libwsched/libwsched.map
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,libwsched.so.$(LIBWSCHED_ABI) \
		-Wl,--version-script=tools/libwsched/libwsched.map \
		-Wl,-z,relro -Wl,-z,now -o $@ $(LIBWSCHED_PIC_OBJS)

$(LIBWSCHED_A): $(LIBWSCHED_PIC_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# PREFIX and LIBDIR are only known at install time: the .pc is written
# then (scripts/install.mk), from this template.
LIBWSCHED_PC_IN = tools/libwsched/libwsched.pc.in
