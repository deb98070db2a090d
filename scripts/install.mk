# SPDX-License-Identifier: GPL-2.0
# make install / make uninstall: the GNU directory variables under PREFIX,
# staged under DESTDIR (debian/rules and selftests/pkg do). Uninstall
# removes exactly the files install writes: both walk the same lists.
# The module is not installed here: DKMS builds it for every kernel
# (scripts/dkms.mk, Documentation/install.rst).
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/smpkit

# smpkit-cpumix sits beside smpkit-bench, which runs it (and wsched-run)
# from its own directory.
INSTALL_PROGS = wsched-run tvmm smpkit smpkit-bench smpkit-cpumix
INSTALL_DOCS = README.md $(wildcard Documentation/*.rst)
# The header keeps its #include <uapi/wsched.h>: both live under
# $(INCLUDEDIR)/wsched, which libwsched.pc puts on the include path.
INSTALL_HEADERS = tools/include/libwsched.h
INSTALL_UAPI = module/include/uapi/wsched.h

ilib = $(DESTDIR)$(LIBDIR)
iinc = $(DESTDIR)$(INCLUDEDIR)/wsched
INSTALLED = \
	$(addprefix $(DESTDIR)$(BINDIR)/,$(INSTALL_PROGS)) \
	$(ilib)/libwsched.so.$(VERSION) \
	$(ilib)/libwsched.so.$(LIBWSCHED_ABI) \
	$(ilib)/libwsched.so \
	$(ilib)/libwsched.a \
	$(ilib)/pkgconfig/libwsched.pc \
	$(addprefix $(iinc)/,$(notdir $(INSTALL_HEADERS))) \
	$(iinc)/uapi/wsched.h \
	$(foreach m,$(MAN_PAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(m)) \
	$(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(INSTALL_DOCS)))

.PHONY: install uninstall libs

libs: $(LIBS)

install: userspace libs man
	install -d $(DESTDIR)$(BINDIR) $(ilib)/pkgconfig $(iinc)/uapi $(DESTDIR)$(DOCDIR)
	install -m 755 $(addprefix $(BUILD)/bin/,$(INSTALL_PROGS)) $(DESTDIR)$(BINDIR)/
	install -m 644 $(LIBS) $(ilib)/
	ln -sfn libwsched.so.$(VERSION) $(ilib)/libwsched.so.$(LIBWSCHED_ABI)
	ln -sfn libwsched.so.$(LIBWSCHED_ABI) $(ilib)/libwsched.so
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|; s|@VERSION@|$(VERSION)|' \
		$(LIBWSCHED_PC_IN) >$(ilib)/pkgconfig/libwsched.pc
	install -m 644 $(INSTALL_HEADERS) $(iinc)/
	install -m 644 $(INSTALL_UAPI) $(iinc)/uapi/
	$(foreach s,$(sort $(subst .,,$(suffix $(MAN_PAGES)))), \
		install -d $(DESTDIR)$(MANDIR)/man$(s) && \
		install -m 644 $(addprefix $(BUILD)/man/,$(filter %.$(s),$(MAN_PAGES))) \
			$(DESTDIR)$(MANDIR)/man$(s)/ &&) true
	install -m 644 $(INSTALL_DOCS) $(DESTDIR)$(DOCDIR)/
	@# A live install: the loader's cache must learn libwsched.so.0.
	@[ -n "$(DESTDIR)" ] || ldconfig 2>/dev/null || true
	@echo "installed under $(DESTDIR)$(PREFIX); /dev/wsched needs the module: make install-dkms"

# Only the directories that are ours alone are removed, and only if empty.
uninstall:
	rm -f $(INSTALLED)
	-rmdir $(iinc)/uapi $(iinc) $(DESTDIR)$(DOCDIR) 2>/dev/null
