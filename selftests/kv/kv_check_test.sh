#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kv_check_test: the history checker (smpkit-kv check) on small written
# histories: one that keeps every rule passes; a read that misses an
# acknowledged put, a counter outside its bounds and dropped siblings
# each fail (the reads that missed a put are counted); a put
# acknowledged after the read began, or with an unknown outcome, binds
# no read; without --quorum only the final reads are judged; a
# malformed line is refused with its line number.
bin=$(cd "$(dirname "$0")/../.." && pwd)/bin/smpkit-kv
. "$(dirname "$0")/../lib/ktap.sh"
[ -x "$bin" ] || ktap_skip_all "$bin is not built"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ktap_plan 7

# op key arg invoke complete outcome [dot= | dots= ctx= overflow= | count=]
cat >"$tmp/good" <<'H'
put load:1 a 100 200 ok dot=0:1
put load:1 b 300 400 ok dot=1:1
put load:1 c 650 900 ok dot=0:2
put load:1 d 660 950 unknown
get load:1 - 500 600 ok dots=1:1 ctx=0:1 overflow=0
get load:1 - 700 800 ok dots=0:1,1:1 ctx= overflow=0
bump loadc:1 1 100 200 ok
bump loadc:1 1 300 400 unknown
bump loadc:1 1 310 320 fail
final loadc:1 - 500 600 ok count=2
final load:1 - 1000 1100 ok dots=0:2 ctx=0:1,1:1 overflow=0
H
"$bin" check --quorum "$tmp/good" >"$tmp/out"
rc=$?
sed 's/^/# /' "$tmp/out"
[ $rc = 0 ] && grep -q '4 reads judged' "$tmp/out" &&
	grep -q '^check: 0 of 4 reads judged missed' "$tmp/out"
ok $? "a history that keeps every rule passes (puts after a read began, or unknown, bind nothing)"

# the second read began after b was acknowledged but returns a alone
sed 's/^get load:1 - 700 800 ok dots=0:1,1:1/get load:1 - 700 800 ok dots=0:1/' \
	"$tmp/good" >"$tmp/lost"
"$bin" check --quorum "$tmp/lost" >"$tmp/out"
rc=$?
sed 's/^/# /' "$tmp/out"
[ $rc = 1 ] && grep -q 'misses b (dot 1:1)' "$tmp/out" &&
	grep -q '^check: 1 of 4 reads judged missed an acknowledged put$' "$tmp/out"
ok $? "a read missing an acknowledged put fails, naming it, and is counted"

"$bin" check "$tmp/lost" >"$tmp/out"
rc=$?
sed 's/^/# /' "$tmp/out"
[ $rc = 0 ] && grep -q '2 reads judged (final reads only)' "$tmp/out"
ok $? "without --quorum only the final reads are judged"

sed 's/count=2/count=3/' "$tmp/good" >"$tmp/ctr"
"$bin" check "$tmp/ctr" >"$tmp/out"
rc=$?
sed 's/^/# /' "$tmp/out"
sed 's/count=2/count=0/' "$tmp/good" >"$tmp/ctr0"
"$bin" check "$tmp/ctr0" >/dev/null
rc0=$?
[ $rc = 1 ] && [ $rc0 = 1 ] && grep -q 'counter 3 outside \[1 acknowledged before, 2 begun' "$tmp/out"
ok $? "a counter above the bumps that may have applied, or below the acknowledged, fails"

sed 's/^\(final load:1 .*\)overflow=0/\1overflow=1/' "$tmp/good" >"$tmp/ovf"
"$bin" check "$tmp/ovf" | grep -q 'siblings were dropped'
ok $? "dropped siblings fail"

final=$(grep -c "^final load:" "$tmp/good")
sed 's/^final load:1 - 1000 1100 ok dots=0:2 ctx=0:1,1:1/final load:1 - 1000 1100 ok dots=0:2 ctx=0:1/' \
	"$tmp/good" >"$tmp/final"
"$bin" check "$tmp/final" >"$tmp/out"
rc=$?
sed 's/^/# /' "$tmp/out"
[ "$final" = 1 ] && [ $rc = 1 ]
ok $? "a final read that lost an acknowledged put fails in every mode"

printf 'put load:1 a 1 2 ok dot=0:1\nget load:1 - x\n' >"$tmp/bad"
"$bin" check "$tmp/bad" >/dev/null 2>"$tmp/err"
rc=$?
sed 's/^/# /' "$tmp/err"
[ $rc = 2 ] && grep -q ':2: not a history line' "$tmp/err"
ok $? "a malformed line is refused with its line number (exit 2)"
exit $fail
