# SPDX-License-Identifier: GPL-2.0
# Shared by the shell scripts: the cache location and the error helpers.
# shellcheck shell=bash

smpkit_cache=${SMPKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smpkit}

die() {
	echo "$*" >&2
	exit 1
}

# Print the cache folder of a VM kernel alias (6.1, 6.12) or die saying how
# to get it.
kernel_dir() {
	local d=$smpkit_cache/kernels/$1
	[ -f "$d/vmlinuz" ] ||
		die "kernel '$1' is not in $smpkit_cache/kernels: run scripts/deps --kernel $1"
	echo "$d"
}
