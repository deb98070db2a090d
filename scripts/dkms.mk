# SPDX-License-Identifier: GPL-2.0
# The module's source tree as DKMS wants it, for make install-dkms and
# the wsched-dkms package (debian/). dkms.conf names what to build.
# DKMS looks for module sources here, whatever PREFIX is.
DKMS_SRCDIR ?= /usr/src/wsched-$(VERSION)

.PHONY: install-dkms uninstall-dkms

# The module's sources where DKMS wants them, dkms.conf's version filled
# in (dh_dkms does the same for the Debian package); then
# "dkms install wsched/$(VERSION)" builds and installs it.
DKMS_FILES = Kbuild $(shell find module -type f \( -name '*.[ch]' -o -name Kbuild \))
install-dkms:
	install -d $(DESTDIR)$(DKMS_SRCDIR)
	tar cf - $(DKMS_FILES) | tar xf - -C $(DESTDIR)$(DKMS_SRCDIR)
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DESTDIR)$(DKMS_SRCDIR)/dkms.conf
	@echo "next: dkms install wsched/$(VERSION)"

uninstall-dkms:
	rm -rf $(DESTDIR)$(DKMS_SRCDIR)
