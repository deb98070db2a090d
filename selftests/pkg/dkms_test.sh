#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# dkms_test: the tree make install-dkms writes is one DKMS builds wsched.ko
# from, for both VM kernels against Debian's linux-headers packages, with
# the version from VERSION; DKMS skips a kernel the module does not
# support (BUILD_EXCLUSIVE_KERNEL) and Kbuild refuses one in one line.
# Everything stays in a scratch folder (--sourcetree, --dkmstree); each
# module built is left in the build tree for pkg/dkms_load_test.sh, which
# loads it in the rig. About 1 min per kernel on 2 busy cores. The one
# thing outside the scratch folder: Debian's DKMS makes its signing pair
# (/var/lib/dkms/mok.key, mok.pub) at its first build, as it would for
# any package.
. "$(dirname "$0")/pkglib.sh" || exit 1
need_cmd dkms dkms
cache=${SMPKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smpkit}
kvers=()
for k in 6.1 6.12; do
	kv=$(cat "$cache/kernels/$k/kver" 2>/dev/null)
	[ -n "$kv" ] && kvers+=("$kv")
done
[ ${#kvers[@]} -gt 0 ] || ktap_skip_all "no VM kernel in $cache/kernels: run scripts/deps"
ktap_plan $((3 + 3 * ${#kvers[@]}))

src=$tmp/root/usr/src
make -s -C "$top" install-dkms DESTDIR="$tmp/root" >"$tmp/make.log" 2>&1 &&
	grep -qx "PACKAGE_VERSION=\"$version\"" "$src/wsched-$version/dkms.conf"
ok $? "make install-dkms writes usr/src/wsched-$version with PACKAGE_VERSION=$version"

dk() {
	dkms "$@" -m wsched -v "$version" --sourcetree "$src" --dkmstree "$tmp/dkms"
}
mkdir -p "$tmp/dkms"
for kv in "${kvers[@]}"; do
	if [ ! -d "/lib/modules/$kv/build" ]; then
		skip "dkms build -k $kv: linux-headers-$kv is not installed"
		skip "dkms build -k $kv: no module"
		skip "dkms build -k $kv: no module"
		continue
	fi
	dk build -k "$kv" >"$tmp/build-$kv.log" 2>&1
	rc=$?
	ko=$(find "$tmp/dkms/wsched/$version/$kv" -name 'wsched.ko*' 2>/dev/null | head -n 1)
	[ $rc = 0 ] && [ -n "$ko" ]
	ok $? "dkms build -k $kv (rc $rc)"
	[ $rc = 0 ] || sed 's/^/# /' "$tmp/build-$kv.log" | tail -n 15
	vm=$(modinfo -F vermagic "$ko" 2>/dev/null)
	[ "${vm%% *}" = "$kv" ]
	ok $? "its ${ko##*/} is for $kv (vermagic '$vm')"
	# DKMS signs what it builds with its machine owner key (install.rst).
	signer=$(modinfo -F signer "$ko" 2>/dev/null)
	if [ -n "$signer" ]; then
		ok 0 "DKMS signed it (signer '$signer')"
	else
		skip "DKMS found no sign-file or key for $kv: the module is unsigned"
	fi
	# DKMS compresses as the kernel does (6.12: xz); the rig's busybox
	# insmod wants a plain .ko.
	case "$ko" in
	*.xz) xz -dc "$ko" >"$build/selftests/pkg/dkms-$kv.ko" ;;
	?*) install -m 644 "$ko" "$build/selftests/pkg/dkms-$kv.ko" ;;
	esac
	# The guest tells the module it runs by its build ID (no readelf there).
	[ -z "$ko" ] || readelf -n "$build/selftests/pkg/dkms-$kv.ko" |
		sed -n 's/.*Build ID: *//p' >"$build/selftests/pkg/dkms-$kv.build-id"
done

dk build -k 6.13.0-1-amd64 >"$tmp/out" 2>&1
rc=$?
[ $rc = 77 ] && grep -q BUILD_EXCLUSIVE "$tmp/out"
ok $? "dkms build -k 6.13.0-1-amd64 is skipped (rc $rc: $(grep -m1 Error "$tmp/out" | head -c 120))"

# A build that bypasses DKMS: Kbuild names the supported range. PATCHLEVEL
# on the command line stands in for a 6.13 tree, which is not installed.
kv=${kvers[0]}
if [ -d "/lib/modules/$kv/build" ]; then
	make -C "/lib/modules/$kv/build" M="$src/wsched-$version" PATCHLEVEL=13 \
		modules >"$tmp/out" 2>&1
	rc=$?
	line=$(grep -m1 'wsched supports' "$tmp/out" | sed 's/.*\*\*\* //')
	[ $rc != 0 ] && [ -n "$line" ] && [ "$(grep -c 'wsched supports' "$tmp/out")" = 1 ]
	ok $? "Kbuild refuses a 6.13 kernel in one line (rc $rc: $line)"
else
	skip "Kbuild's refusal: linux-headers-$kv is not installed"
fi
exit $fail
