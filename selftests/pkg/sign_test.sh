#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# sign_test: make sign signs a copy of the 6.1 module with a throw-away
# key pair through the kernel's sign-file, and modinfo shows our signer,
# hash and key; no key, a key that is not the certificate's, and a
# module signed already are refused with the reason.
. "$(dirname "$0")/pkglib.sh" || exit 1
need_cmd openssl openssl
need_cmd modinfo kmod
cache=${SMPKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smpkit}
kv=$(cat "$cache/kernels/6.1/kver" 2>/dev/null)
built=$build/kmod/$kv/module/wsched.ko
[ -n "$kv" ] && [ -f "$built" ] ||
	ktap_skip_all "no wsched.ko built for the 6.1 VM kernel: make module KERNEL=6.1"
ktap_plan 7

# A machine owner key as install.rst has the user make it, for one day.
newkey() {
	openssl req -new -x509 -newkey rsa:2048 -nodes -days 1 -outform DER \
		-subj "/CN=$1/" -keyout "$tmp/$1.priv" -out "$tmp/$1.der" >/dev/null 2>&1
}
newkey smpkit-sign-test && newkey other-key
ok $? "openssl makes two throw-away key pairs"

sign() {
	make -s -C "$top" sign KERNEL=6.1 KO="$tmp/wsched.ko" "$@" >"$tmp/out" 2>&1
}
cp "$built" "$tmp/wsched.ko"
sign SIGN_KEY="$tmp/smpkit-sign-test.priv" SIGN_CERT="$tmp/smpkit-sign-test.der"
ok $? "make sign SIGN_KEY=... SIGN_CERT=... ($(tail -n 1 "$tmp/out"))"
signer=$(modinfo -F signer "$tmp/wsched.ko")
algo=$(modinfo -F sig_hashalgo "$tmp/wsched.ko")
[ "$signer" = smpkit-sign-test ] && [ "$algo" = sha256 ]
ok $? "modinfo: signer '$signer', sig_hashalgo '$algo'"
# sig_key is the certificate's serial number, as modinfo prints it.
serial=$(openssl x509 -inform DER -noout -serial -in "$tmp/smpkit-sign-test.der" | sed 's/.*=//')
sigkey=$(modinfo -F sig_key "$tmp/wsched.ko" | tr -d ':\n ')
[ -n "$serial" ] && [ "${sigkey^^}" = "${serial^^}" ]
ok $? "modinfo's sig_key is the certificate's serial ($serial)"

sign SIGN_KEY="$tmp/smpkit-sign-test.priv" SIGN_CERT="$tmp/smpkit-sign-test.der"
[ $? != 0 ] && grep -q 'signed already' "$tmp/out"
ok $? "a module signed already is refused ($(grep -m1 sign-module "$tmp/out"))"

cp "$built" "$tmp/wsched.ko"
sign
[ $? != 0 ] && grep -q 'SIGN_KEY=' "$tmp/out"
ok $? "make sign without a key says how to give one ($(grep -m1 sign-module "$tmp/out"))"
sign SIGN_KEY="$tmp/other-key.priv" SIGN_CERT="$tmp/smpkit-sign-test.der"
rc=$?
[ $rc != 0 ] && [ -z "$(modinfo -F signer "$tmp/wsched.ko")" ]
ok $? "a key that is not the certificate's is refused, the module left unsigned ($(grep -m1 sign-module "$tmp/out"))"
exit $fail
