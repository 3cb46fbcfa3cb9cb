#!/bin/sh
# Install the Debian packages mmstorm builds, runs and tests with.
# Only what is missing is installed; apt-get update runs only then.
set -eu

# Build and run: compiler, libraries, stress-ng.  With --test also what
# the tests use: sqlite3, curl, python3, Chromium (renders the HTML
# report), systemd-analyze, and for the VM lab qemu, busybox-static,
# cpio, e2fsprogs and what builds the test module (gcc-12, libc6-dev),
# clang with its libFuzzer runtime for `make fuzz` (fuzz/README.md),
# and what builds and checks the Debian package and the manual pages
# (dpkg-dev, debhelper, bash-completion, fakeroot, lintian, man-db),
# and zsh (t0960 drives the zsh completion too).
PKGS="build-essential pkg-config libsqlite3-dev sqlite3 libjansson-dev
libevent-dev libcurl4-openssl-dev libnuma-dev zlib1g-dev nettle-dev libpq-dev
stress-ng"
if [ "${1:-}" = "--test" ]; then
	PKGS="$PKGS curl python3 xxd chromium fonts-dejavu-core systemd
qemu-system-x86 busybox-static cpio e2fsprogs jq bc binutils gcc-12 libc6-dev
git postgresql-15 clang-14 libclang-rt-14-dev
dpkg-dev debhelper bash-completion fakeroot lintian man-db zsh"
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
