#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deps_test: scripts/deps says what it installs and why before apt-get
# runs. With --dry-run and stand-ins for dpkg-query (nothing installed,
# or everything), apt-get and sudo (which must not run), it lists every
# package with its reason, installs nothing, and is silent under
# --quiet when nothing is missing.
. "$(dirname "$0")/pkglib.sh" || exit 1
ktap_plan 5

shim=$tmp/shim
mkdir -p "$shim"
for c in apt-get sudo; do
	printf '#!/bin/sh\necho "%s $*" >>%s/ran\nexit 1\n' "$c" "$tmp" >"$shim/$c"
done
printf '#!/bin/sh\nexit 1\n' >"$shim/dpkg-query"
chmod +x "$shim"/*

PATH=$shim:$PATH "$top/scripts/deps" --dry-run --quiet >"$tmp/out" 2>&1
rc=$?
count=$(sed -n 's/^deps: installing \([0-9]*\) Debian packages.*/\1/p' "$tmp/out")
[ $rc = 0 ] && [ -n "$count" ] && [ "$count" -ge 20 ]
ok $? "--dry-run --quiet on a bare machine announces $count packages (rc $rc)"
lines=$(grep -cE '^deps:   [a-z0-9.+-]+ +[A-Za-z(].{10,}' "$tmp/out")
[ "$lines" = "$count" ] && ! grep -q 'asked for' "$tmp/out"
ok $? "each of them on its own line with why ($lines lines)"
for p in dkms lintian python3-docutils qemu-system-x86; do
	grep -qE "^deps:   $p " "$tmp/out" || { echo "# $p missing"; false; } || break
done
ok $? "the list names dkms, lintian, python3-docutils and qemu-system-x86"
[ ! -e "$tmp/ran" ] && grep -q 'dry run: nothing installed' "$tmp/out"
ok $? "apt-get and sudo never ran ($(cat "$tmp/ran" 2>/dev/null | head -n 1))"

printf '#!/bin/sh\necho "install ok installed"\n' >"$shim/dpkg-query"
PATH=$shim:$PATH "$top/scripts/deps" --dry-run --quiet >"$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] && ! grep -v '^deps: dry run: the VM kernels' "$tmp/out" | grep -q .
ok $? "with everything installed, --quiet says nothing else ($(head -n 1 "$tmp/out"))"
exit $fail
