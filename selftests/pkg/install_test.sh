#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# install_test: make install into a temporary DESTDIR puts every program,
# libwsched (shared with its soname, static, header, .pc), the man pages
# and the docs in place; each installed program answers --help and runs
# one real command from there; a program builds against the installed
# library through pkg-config, both ways; make uninstall leaves nothing.
. "$(dirname "$0")/pkglib.sh" || exit 1
need_cmd rst2man python3-docutils
need_cmd pkg-config pkgconf
ktap_plan 24

d=$tmp/root
bin=$d/usr/bin
lib=$d/usr/lib
make -s -C "$top" install DESTDIR="$d" PREFIX=/usr >"$tmp/make.log" 2>&1
ok $? "make install DESTDIR=... PREFIX=/usr ($(tail -n 1 "$tmp/make.log"))"

for p in wsched-run tvmm smpkit smpkit-bench smpkit-cpumix; do
	"$bin/$p" --help 2>&1 | grep -q "usage: $p"
	ok $? "installed $p --help prints its usage"
done

"$bin/smpkit" topo >"$tmp/out" 2>&1 && grep -qi 'cpu' "$tmp/out"
ok $? "installed smpkit topo runs ($(grep -ci cpu "$tmp/out") lines name CPUs)"
"$bin/smpkit-bench" --list >"$tmp/out" 2>&1 && grep -q '^programs ' "$tmp/out"
ok $? "installed smpkit-bench --list lists the workloads"
"$bin/smpkit-cpumix" --procs 1 --threads 1 --work 1 >"$tmp/out" 2>&1
ok $? "installed smpkit-cpumix runs one round ($(tail -n 1 "$tmp/out"))"
# Outside the rig no module is loaded: then the refusal must say why.
if [ -e /dev/wsched ]; then
	"$bin/wsched-run" -- true
	ok $? "installed wsched-run -- true runs under the loaded module"
else
	"$bin/wsched-run" -- true 2>"$tmp/err"
	rc=$?
	[ $rc = 125 ] && grep -q wsched "$tmp/err"
	ok $? "installed wsched-run without the module: 125 and why (rc $rc: $(head -n 1 "$tmp/err"))"
fi
"$bin/tvmm" probe >"$tmp/out" 2>&1
rc=$?
if [ $rc = 4 ]; then
	skip "tvmm probe: no usable /dev/kvm here ($(tail -n 1 "$tmp/out"))"
else
	[ $rc = 0 ]
	ok $? "installed tvmm probe runs (rc $rc)"
fi

so=$(readelf -d "$lib/libwsched.so.$version" 2>/dev/null | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$so" = libwsched.so.0 ] && [ "$(readlink "$lib/libwsched.so.0")" = "libwsched.so.$version" ] &&
	[ "$(readlink "$lib/libwsched.so")" = libwsched.so.0 ]
ok $? "libwsched.so.$version has soname libwsched.so.0 (got '$so'), links .so.0 and .so"
bad=$(nm -D --defined-only "$lib/libwsched.so.$version" | awk '$2 == "T" && $3 !~ /^wsched_/ {print $3}')
[ -z "$bad" ] && nm -D --defined-only "$lib/libwsched.so.$version" | grep -q ' T wsched_open'
ok $? "libwsched.so exports wsched_* only (others: '$bad')"

export PKG_CONFIG_PATH=$lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$d
[ "$(pkg-config --modversion libwsched)" = "$version" ]
ok $? "pkg-config --modversion libwsched is $version"

# A user of the API: names and parses policies, and reports why
# /dev/wsched cannot be opened here (or opens it where it can).
cat >"$tmp/user.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libwsched.h>

int main(void)
{
	struct wsched_params p;
	int fd;

	wsched_params_default(&p);
	if (strcmp(wsched_steal_name(p.steal), "topology") ||
	    wsched_place_parse("rr") != WSCHED_PLACE_RR)
		return 1;
	fd = wsched_open();
	printf("open %s: %s\n", WSCHED_DEVICE, fd < 0 ? strerror(-fd) : "ok");
	if (fd >= 0)
		close(fd);
	return 0;
}
C
# shellcheck disable=SC2046
cc -Wall -Wextra -Werror -o "$tmp/user-shared" "$tmp/user.c" \
	$(pkg-config --cflags --libs libwsched) 2>"$tmp/err" &&
	readelf -d "$tmp/user-shared" | grep -q 'NEEDED.*libwsched.so.0'
ok $? "cc \$(pkg-config --cflags --libs libwsched) links libwsched.so.0 $(head -c 200 "$tmp/err")"
LD_LIBRARY_PATH=$lib "$tmp/user-shared" >"$tmp/out" 2>&1
ok $? "the program runs on the installed libwsched.so ($(cat "$tmp/out"))"
objdump -T "$tmp/user-shared" | grep -q '(LIBWSCHED_0\.1) *wsched_params_default$'
ok $? "a program built now binds wsched_params_default@LIBWSCHED_0.1 (the struct with balance_gap)"

# A program built before balance_gap existed binds the LIBWSCHED_0
# versions (asked for here with .symver): they must stay inside its
# smaller struct.
cat >"$tmp/old.c" <<'C'
#include <sched.h>
#include <stdint.h>
#include <string.h>

struct params_v0 {
	uint32_t slice_us, steal, balance, place, watchdog_ms;
};
void old_default(struct params_v0 *p);
__asm__(".symver old_default, wsched_params_default@LIBWSCHED_0");

int main(void)
{
	struct { struct params_v0 p; uint32_t canary; } b;

	memset(&b, 0x5a, sizeof(b));
	old_default(&b.p);
	return b.canary != 0x5a5a5a5a || b.p.slice_us != 20000;
}
C
# shellcheck disable=SC2046
cc -Wall -Wextra -Werror -o "$tmp/user-old" "$tmp/old.c" \
	$(pkg-config --cflags --libs libwsched) 2>"$tmp/err" &&
	LD_LIBRARY_PATH=$lib "$tmp/user-old" 2>>"$tmp/err"
ok $? "a LIBWSCHED_0 program's wsched_params_default writes only its own struct $(head -c 200 "$tmp/err")"
# shellcheck disable=SC2046
cc -Wall -Wextra -Werror -o "$tmp/user-static" "$tmp/user.c" \
	$(pkg-config --cflags libwsched) "$lib/libwsched.a" 2>"$tmp/err" &&
	! readelf -d "$tmp/user-static" | grep -q libwsched && "$tmp/user-static" >/dev/null
ok $? "the same program links libwsched.a statically and runs $(head -c 200 "$tmp/err")"

pages=0
for m in man8/wsched-run.8 man1/smpkit-cpumix.1 man1/tvmm.1 man1/smpkit.1 man1/smpkit-bench.1 man3/libwsched.3; do
	[ -f "$d/usr/share/man/$m" ] && pages=$((pages + 1))
done
[ $pages = 6 ] && MANWIDTH=80 man -l "$d/usr/share/man/man8/wsched-run.8" 2>/dev/null | grep -q 'CAP_SYS_NICE'
ok $? "the six man pages are installed ($pages) and man -l renders wsched-run(8)"
[ -f "$d/usr/share/doc/smpkit/README.md" ] && [ -f "$d/usr/share/doc/smpkit/install.rst" ]
ok $? "README.md and Documentation/*.rst are in /usr/share/doc/smpkit"

make -s -C "$top" uninstall DESTDIR="$d" PREFIX=/usr >"$tmp/make.log" 2>&1
ok $? "make uninstall DESTDIR=... PREFIX=/usr"
left=$(find "$d" ! -type d | sed "s|^$d||")
[ -z "$left" ]
ok $? "uninstall leaves no file or link behind ($(echo $left | head -c 200))"
left=$(find "$d" -type d \( -name wsched -o -name smpkit \) | sed "s|^$d||")
[ -z "$left" ]
ok $? "uninstall removes the folders that are smpkit's own ($left)"
exit $fail
