# lib-pg.sh - a PostgreSQL server of the test's own, after lib.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/lib-pg.sh"
#   pg_require                 # starts it, or skips the rest saying why
#   url=$(pg_db NAME)          # a fresh database, its URL
#
# The server lives in a temporary directory (unix socket only, no TCP,
# fsync off) and is stopped by the EXIT trap even when a test fails.
# initdb refuses root: as root the server runs as the postgres user, in a
# directory that user owns.

PGBIN=""
for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin \
    2>/dev/null | sort -V -r); do
	if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
		PGBIN=$d
		break
	fi
done
PGDIR=""

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_stop() {
	if [ -n "$PGDIR" ] && [ -f "$PGDIR/data/postmaster.pid" ]; then
		as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop \
		    > /dev/null 2>&1 || true
	fi
	[ -z "$PGDIR" ] || rm -rf "$PGDIR"
}
trap 'pg_stop; cleanup_scratch' EXIT
trap 'exit 1' INT TERM HUP

pg_start() {
	PGDIR=$(mktemp -d /tmp/mmstorm-pg.XXXXXX) || return 1
	if [ "$(id -u)" -eq 0 ]; then
		id postgres > /dev/null 2>&1 || return 1
		chown postgres "$PGDIR" || return 1
	fi
	chmod 700 "$PGDIR"
	as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U mmstorm -A trust \
	    -E UTF8 --no-sync > "$PGDIR/initdb.log" 2>&1 || return 1
	as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
	    -t 60 -o "-c listen_addresses='' -k $PGDIR -c fsync=off" \
	    start > /dev/null 2>&1 || return 1
}

pg_require() {
	if [ -z "$PGBIN" ]; then
		test_skip_rest "no PostgreSQL server installed (postgresql-15: scripts/install-deps.sh --test)"
	elif ! pg_start; then
		tail -n 5 "$PGDIR/initdb.log" "$PGDIR/server.log" 2>/dev/null |
		    sed 's/^/# /'
		test_skip_rest "PostgreSQL cannot start here (initdb or pg_ctl failed)"
	fi
}

# A fresh database NAME on the server; its URL on stdout.
pg_db() {
	as_pg "$PGBIN/createdb" -h "$PGDIR" -U mmstorm "$1" > /dev/null &&
	echo "postgresql:///$1?host=$PGDIR&user=mmstorm"
}

# psql on database NAME: pg_sql NAME SQL
pg_sql() {
	"$PGBIN/psql" -h "$PGDIR" -U mmstorm -d "$1" -Atqc "$2"
}
