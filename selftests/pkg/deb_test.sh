#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deb_test: dpkg-buildpackage -us -uc -b builds smpkit, libwsched0,
# libwsched-dev and wsched-dkms from a copy of the tree; lintian finds
# no error; each package holds what it should (wsched-dkms: the sources
# and dkms.conf at VERSION, maintainer scripts that call DKMS), and the
# tools run from the unpacked package. Then it installs them on this
# machine (apt-get install, DKMS building for the VM kernels, purge
# leaving nothing), unless SMPKIT_PKG_INSTALL=0, or one of them is
# installed already (the purge would take the user's copy), or we are
# not root. About 3 min.
. "$(dirname "$0")/pkglib.sh" || exit 1
need_cmd dpkg-buildpackage dpkg-dev
need_cmd dh debhelper
need_cmd dh_dkms dh-dkms
need_cmd lintian lintian
need_cmd rst2man python3-docutils
ktap_plan 10

# A copy of the sources without the build tree: dpkg-buildpackage writes
# its packages next to the tree it builds.
src=$tmp/smpkit-$version
mkdir -p "$src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$top" && git ls-files -co --exclude-standard | tar cf - -T -) | tar xf - -C "$src"
else
	tar cf - -C "$top" --exclude=./build . | tar xf - -C "$src"
fi

cl=$(cd "$src" && dpkg-parsechangelog -S Version)
[ "$cl" = "$version" ]
ok $? "debian/changelog's version is VERSION's ($cl, $version)"

(cd "$src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1
rc=$?
[ $rc = 0 ] || tail -n 20 "$tmp/build.log" | sed 's/^/# /'
debs=$(cd "$tmp" && ls smpkit_*.deb libwsched0_*.deb libwsched-dev_*.deb wsched-dkms_*.deb 2>/dev/null | wc -l)
[ $rc = 0 ] && [ "$debs" = 4 ]
ok $? "dpkg-buildpackage -us -uc -b builds the four packages (rc $rc, $debs found)"

lintian --fail-on error "$tmp"/smpkit_*.changes >"$tmp/lintian.log" 2>&1
rc=$?
errors=$(grep -c '^E:' "$tmp/lintian.log")
[ $rc = 0 ] && [ "$errors" = 0 ]
ok $? "lintian: no error ($errors errors, $(grep -c '^W:' "$tmp/lintian.log") warnings)"
grep '^[EW]:' "$tmp/lintian.log" | head -n 10 | sed 's/^/# /'

has() {
	dpkg-deb -c "$tmp/$1"_*.deb | awk '{print $6}' | grep -qE "$2"
}
has smpkit '^\./usr/bin/smpkit$' && has smpkit '^\./usr/bin/wsched-run$' &&
	has smpkit 'man8/wsched-run\.8\.gz$' && has smpkit 'doc/smpkit/install\.rst'
ok $? "smpkit holds the programs, their man pages and the docs"
has libwsched0 'libwsched\.so\.0$' && ! has libwsched0 '\.a$' &&
	has libwsched-dev 'libwsched\.a$' && has libwsched-dev 'pkgconfig/libwsched\.pc$' &&
	has libwsched-dev 'include/wsched/uapi/wsched\.h$'
ok $? "libwsched0 holds the shared library, libwsched-dev the rest"
dpkg-deb -x "$tmp"/wsched-dkms_*.deb "$tmp/dkms-x"
dpkg-deb -e "$tmp"/wsched-dkms_*.deb "$tmp/dkms-ctl"
grep -qx "PACKAGE_VERSION=\"$version\"" "$tmp/dkms-x/usr/src/wsched-$version/dkms.conf" &&
	[ -f "$tmp/dkms-x/usr/src/wsched-$version/module/main.c" ] &&
	grep -q 'dkms' "$tmp/dkms-ctl/postinst" && grep -q 'dkms' "$tmp/dkms-ctl/prerm" &&
	dpkg-deb -f "$tmp"/wsched-dkms_*.deb Depends | grep -q dkms
ok $? "wsched-dkms: sources and dkms.conf at $version, postinst/prerm call DKMS, depends on dkms"

dpkg-deb -x "$tmp"/smpkit_*.deb "$tmp/x"
"$tmp/x/usr/bin/smpkit" topo >"$tmp/out" 2>&1
ok $? "smpkit topo runs from the unpacked package"

why=
if [ "${SMPKIT_PKG_INSTALL:-1}" = 0 ]; then
	why="SMPKIT_PKG_INSTALL=0"
elif [ "$(id -u)" != 0 ]; then
	why="installing needs root"
elif have=$(dpkg-query -W -f '${db:Status-Status} ${Package}\n' smpkit libwsched0 \
	libwsched-dev wsched-dkms 2>/dev/null | awk '$1 != "not-installed" {print $2}') &&
	[ -n "$have" ]; then
	why="$(echo $have) installed already: the purge would remove it"
fi
if [ -n "$why" ]; then
	for w in "apt-get install of the four packages" "/usr/bin/smpkit topo" "apt-get purge leaves nothing"; do
		skip "$w: $why"
	done
	exit $fail
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q "$tmp"/smpkit_*.deb "$tmp"/libwsched0_*.deb \
	"$tmp"/libwsched-dev_*.deb "$tmp"/wsched-dkms_*.deb >"$tmp/inst.log" 2>&1
rc=$?
built=$(dkms status wsched 2>/dev/null | grep -c installed)
[ $rc = 0 ] && [ "$built" -ge 1 ]
ok $? "apt-get install: DKMS built wsched for $built kernel(s): $(dkms status wsched | tr '\n' ';')"
/usr/bin/smpkit topo >/dev/null 2>&1
ok $? "/usr/bin/smpkit topo runs"
files=$(dpkg -L smpkit libwsched0 libwsched-dev wsched-dkms 2>/dev/null | sort -u)
apt-get purge -y -q smpkit libwsched0 libwsched-dev wsched-dkms >"$tmp/purge.log" 2>&1
rc=$?
left=$(for f in $files; do [ -f "$f" ] || [ -L "$f" ] && echo "$f"; done)
left+=$(ls -d /var/lib/dkms/wsched /usr/src/wsched-* /lib/modules/*/updates/dkms/wsched.ko* 2>/dev/null)
[ $rc = 0 ] && [ -z "$left" ]
ok $? "apt-get purge leaves nothing ($(echo $left | head -c 200))"
exit $fail
