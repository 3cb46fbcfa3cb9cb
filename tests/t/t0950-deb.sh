#!/bin/sh
# The Debian package, as a lab maintainer uses it: `make deb` builds it,
# lintian has nothing to say, `dpkg -i` installs it (into a scratch root)
# with the group created and the unit verified and left disabled, and
# `dpkg --purge` leaves nothing behind but the mmstorm group (Debian
# keeps system groups: files may still carry their id).
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
	    ./lib/systemd/system/mmstorm-nightly.service \
	    ./lib/systemd/system/mmstorm-nightly.timer \
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

# Installed into a scratch root, maintainer scripts included: dpkg --root
# with chrootless scripts runs them with DPKG_ROOT set, which
# systemd-sysusers, deb-systemd-helper and our postrm honour.  Nothing
# outside $SCRATCH changes, so this needs no machine lock.
ROOT="$SCRATCH/root"
DPKG="dpkg --root=$ROOT --force-script-chrootless"

if [ "$(id -u)" -ne 0 ]; then
	test_skip_rest "dpkg --root with maintainer scripts needs root"
fi

test_expect 'dpkg -i installs it; mmstorm --version says the changelog version' '
	mkdir -p "$ROOT/var/lib/dpkg/info" "$ROOT/var/lib/dpkg/updates" "$ROOT/etc"
	: > "$ROOT/var/lib/dpkg/status"
	# the scratch root has no libc in its dpkg database: the
	# dependencies are the machine'"'"'s
	$DPKG --force-depends -i "$DEB" > dpkg.log 2>&1 || { cat dpkg.log; false; }
	$DPKG -L mmstorm > "$SCRATCH/installed"
	test "$("$ROOT/usr/bin/mmstorm" --version)" = "mmstorm $VERSION"
	test "$("$BUILD/mmstorm" --version)" = "mmstorm $VERSION"
'

test_expect 'postinst made the group; the unit is installed disabled; man finds the pages' '
	grep -q "^mmstorm:x:[0-9]*:" "$ROOT/etc/group"
	test "$(systemctl --root="$ROOT" is-enabled mmstormd.service 2>&1 || true)" = disabled
	if ls "$ROOT"/etc/systemd/system/*.wants/mmstormd.service 2> /dev/null; then
		false
	fi
	grep -q "^ExecStart=/usr/sbin/mmstormd " "$ROOT/lib/systemd/system/mmstormd.service"
	test "$(systemctl --root="$ROOT" is-enabled mmstorm-nightly.timer 2>&1 || true)" = disabled
	grep -q "^ExecStart=/usr/bin/mmstorm .* nightly " "$ROOT/lib/systemd/system/mmstorm-nightly.service"
	test "$(MANPATH="$ROOT/usr/share/man" man -w mmstorm)" = \
	    "$ROOT/usr/share/man/man1/mmstorm.1.gz"
	test "$(MANPATH="$ROOT/usr/share/man" man -w 8 mmstormd)" = \
	    "$ROOT/usr/share/man/man8/mmstormd.8.gz"
'

if command -v systemd-analyze > /dev/null && [ -d /lib/systemd/system ]; then
	# In a copy of the root with the machine'"'"'s own units (what the
	# package depends on), so ExecStart= is checked against the package.
	test_expect 'systemd-analyze verify accepts the installed unit' '
		cp -a "$ROOT" "$SCRATCH/verify"
		cp -an /lib/systemd/system/. "$SCRATCH/verify/lib/systemd/system/"
		systemd-analyze verify --root="$SCRATCH/verify" mmstormd.service \
		    mmstorm-nightly.service mmstorm-nightly.timer
	'
else
	test_skip 'systemd-analyze verify' "systemd-analyze or /lib/systemd/system is missing"
fi

test_expect 'dpkg --purge leaves no file, no unit state, no data; the group stays' '
	mkdir -p "$ROOT/var/lib/mmstorm" && : > "$ROOT/var/lib/mmstorm/mmstorm.db"
	$DPKG --purge mmstorm > purge.log 2>&1 || { cat purge.log; false; }
	if $DPKG -l mmstorm 2> /dev/null | grep -q "^[a-z][a-z] *mmstorm "; then
		$DPKG -l mmstorm; false
	fi
	# what is left besides dpkg'"'"'s database and the group files
	(cd "$ROOT" && find . ! -type d) | grep -v -e "^\./var/lib/dpkg/" \
	    -e "^\./etc/group\$" -e "^\./etc/gshadow\$" -e "^\./etc/\.pwd\.lock\$" \
	    > left || true
	(cd "$ROOT" && find . -type d -empty) | grep -v -e "^\./var/lib/dpkg" \
	    -e "^\./var/lib/systemd\$" >> left || true
	if [ -s left ]; then cat left; false; fi
	grep -q "^mmstorm:" "$ROOT/etc/group"
'

test_done
