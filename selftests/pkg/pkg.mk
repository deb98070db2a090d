# SPDX-License-Identifier: GPL-2.0
# Installing smpkit the usual ways, tested on the host into temporary
# folders (Documentation/install.rst). Where a tool is missing (rst2man,
# dkms, ...) the test says SKIP and which package to install.
PKG_TESTS := install_test.sh man_test.sh deps_test.sh dkms_test.sh sign_test.sh deb_test.sh \
	     sig_enforce_test.sh
SCRIPT_TESTS += $(addprefix pkg/,$(PKG_TESTS))
SCRIPT_LIBS += pkg/pkglib.sh
HOST_TESTS += $(addprefix pkg/,$(PKG_TESTS))

# What install_test and man_test check, built with the selftests when
# rst2man is there (it is a dependency of make check, not of make).
selftests: libs $(if $(shell command -v $(RST2MAN) 2>/dev/null),man)

# The module DKMS built on the host (dkms_test), loaded in the rig.
SCRIPT_TESTS += pkg/dkms_load_test.sh
VM_TESTS += pkg/dkms_load_test.sh
