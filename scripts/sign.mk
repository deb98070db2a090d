# SPDX-License-Identifier: GPL-2.0
# make sign: the module built for KDIR (or KO=path), signed with the
# user's key for Secure Boot (scripts/sign-module, install.rst):
#   make sign SIGN_KEY=MOK.priv SIGN_CERT=MOK.der [KDIR=...] [KO=...]
SIGN_HASH ?= sha256
KO ?= $(BUILD)/kmod/$(KREL)/module/wsched.ko

.PHONY: sign
sign: kernel-check
	scripts/sign-module --key "$(SIGN_KEY)" --cert "$(SIGN_CERT)" \
		--hash $(SIGN_HASH) --kdir $(KDIR) $(KO)
