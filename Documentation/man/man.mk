# SPDX-License-Identifier: GPL-2.0
# Man pages, written once in reStructuredText (as the kernel's bpftool
# pages are) and turned into roff by rst2man; a warning stops the build.
# selftests/pkg/man_test.sh holds each page's options to its --help.
MAN_PAGES = wsched-run.8 tvmm.1 smpkit.1 smpkit-bench.1 smpkit-cpumix.1 libwsched.3
RST2MAN ?= rst2man
# The page's date is the last commit's (or SOURCE_DATE_EPOCH's, as
# dpkg-buildpackage sets it), so that a rebuild gives the same page.
MAN_DATE ?= $(shell d=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null)}; \
	date -u -d @$${d:-0} +%F)

.PHONY: man
man: $(addprefix $(BUILD)/man/,$(MAN_PAGES))

$(BUILD)/man/%: Documentation/man/%.rst VERSION
	@command -v $(RST2MAN) >/dev/null || { echo "make: $(RST2MAN) not found: apt-get install python3-docutils" >&2; exit 1; }
	@mkdir -p $(@D)
	sed 's/@VERSION@/$(VERSION)/; s/@DATE@/$(MAN_DATE)/' $< | \
		$(RST2MAN) --halt=warning --no-generator --no-datestamp - $@.tmp
	mv $@.tmp $@
