# SPDX-License-Identifier: GPL-2.0
# Shared by the pkg tests (bash): find the checkout they install from,
# whether they run from selftests/pkg/ or from a build tree inside it,
# and a scratch folder removed on exit.
top=$(cd "$(dirname "$0")" && pwd)
while [ "$top" != / ] && [ ! -f "$top/dkms.conf" ]; do
	top=$(dirname "$top")
done
build=$top/build
version=$(cat "$top/VERSION" 2>/dev/null)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/ktap.sh"
[ -n "$version" ] || ktap_skip_all "no checkout with a VERSION file above $0"

# need_cmd CMD PACKAGE: skip the whole test, naming the package, without CMD.
need_cmd() {
	command -v "$1" >/dev/null || ktap_skip_all "$1 not found: apt-get install $2"
}
