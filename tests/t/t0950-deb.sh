#!/bin/sh
# The Debian package, as a lab maintainer uses it: `make deb` builds it,
# lintian has nothing to say, `dpkg -i` installs it on this machine with
# the unit verified and left disabled, and `dpkg --purge` leaves nothing
# behind but the mmstorm group (Debian keeps system groups: files may
# still carry their id).  It installs into the real root, so it runs
# under the machine lock like the tests that start daemons:
#   flock /tmp/mmstorm-machine.lock sh tests/t/t0950-deb.sh
. "$(dirname "$0")/lib.sh"

VERSION=$(head -n 1 "$TOP/debian/changelog" | cut -d ' ' -f 2 | tr -d '()')
ARCH=$(dpkg --print-architecture 2>/dev/null)
DEB="$SCRATCH/build/mmstorm_${VERSION}_$ARCH.deb"

if ! command -v dpkg-buildpackage > /dev/null || ! command -v dh > /dev/null
then
	test_skip_rest "dpkg-buildpackage or debhelper is missing (scripts/install-deps.sh --test installs them)"
fi

# The unit tests ran already; nocheck keeps the build to the build.
test_expect 'make deb builds mmstorm_VERSION_ARCH.deb' '
	DEB_BUILD_OPTIONS=nocheck make -C "$TOP" deb BUILD="$SCRATCH/build" \
	    > "$SCRATCH/deb.log" 2>&1 || { tail -30 "$SCRATCH/deb.log"; false; }
	test -s "$DEB"
'

test_expect 'the package holds the programs, unit, sysusers, pages, completion, examples' '
	dpkg-deb -c "$DEB" | awk "{ print \$6 }" > contents
	for f in ./usr/bin/mmstorm ./usr/sbin/mmstormd \
	    ./lib/systemd/system/mmstormd.service \
	    ./usr/lib/sysusers.d/mmstorm.conf \
	    ./usr/share/man/man1/mmstorm.1.gz ./usr/share/man/man8/mmstormd.8.gz \
	    ./usr/share/man/man5/mmstorm-job.5.gz \
	    ./usr/share/man/man7/mmstorm-workloads.7.gz \
	    ./usr/share/bash-completion/completions/mmstorm \
	    ./usr/share/doc/mmstorm/examples/quick.job \
	    ./usr/share/doc/mmstorm/README.md; do
		grep -qx "$f" contents || { echo "missing $f"; false; }
	done
	dpkg-deb -f "$DEB" Recommends | grep -qw stress-ng
	dpkg-deb -f "$DEB" Depends | grep -q libsqlite3
'

if command -v lintian > /dev/null; then
	test_expect 'lintian: no tag left that is not overridden with a reason' '
		lintian --pedantic --display-info --fail-on error,warning,info,pedantic \
		    "$DEB"
	'
else
	test_skip 'lintian' "lintian is not installed"
fi

if [ "$(id -u)" -ne 0 ]; then
	test_skip_rest "dpkg -i needs root"
elif dpkg-query -W -f '${Status}' mmstorm 2>/dev/null | grep -q installed; then
	test_skip_rest "mmstorm is installed on this machine; the test does not replace it"
fi

test_expect 'dpkg -i installs it; mmstorm --version says the changelog version' '
	dpkg -i "$DEB" > dpkg.log 2>&1 || { cat dpkg.log; false; }
	dpkg -L mmstorm > "$SCRATCH/installed"
	test "$(/usr/bin/mmstorm --version)" = "mmstorm $VERSION" &&
	test "$("$BUILD/mmstorm" --version)" = "mmstorm $VERSION"
'

test_expect 'the unit verifies, is not enabled, the group exists, man finds the pages' '
	systemd-analyze verify /lib/systemd/system/mmstormd.service
	grep -q "^ExecStart=/usr/sbin/mmstormd " /lib/systemd/system/mmstormd.service
	test "$(systemctl is-enabled mmstormd.service 2>&1 || true)" = disabled
	if ls /etc/systemd/system/*.wants/mmstormd.service 2> /dev/null; then
		false
	fi
	getent group mmstorm
	test "$(man -w mmstorm)" = /usr/share/man/man1/mmstorm.1.gz
	test "$(man -w 8 mmstormd)" = /usr/share/man/man8/mmstormd.8.gz
'

# Runs even when a test above failed, so the machine is left clean.
test_expect 'dpkg --purge leaves no file, no unit state, no data' '
	dpkg --purge mmstorm > purge.log 2>&1 || { cat purge.log; false; }
	if dpkg-query -W -f "\${Status}" mmstorm 2> /dev/null | grep -q installed
	then
		false
	fi
	: > left
	while read -r f; do
		[ -d "$f" ] || { [ ! -e "$f" ] || echo "$f" >> left; }
	done < "$SCRATCH/installed"
	for f in /var/lib/mmstorm /run/mmstorm \
	    /var/lib/systemd/deb-systemd-helper-enabled/mmstormd.service.dsh-also \
	    /var/lib/systemd/deb-systemd-helper-masked/mmstormd.service \
	    /etc/systemd/system/multi-user.target.wants/mmstormd.service; do
		[ ! -e "$f" ] || echo "$f" >> left
	done
	if [ -s left ]; then cat left; false; fi
'

test_done
