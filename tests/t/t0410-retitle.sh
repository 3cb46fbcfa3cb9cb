#!/bin/sh
# lockups --retitle: events a database got from an older classifier are
# titled again from their stored text (issue 13, item 5), so they group
# with the events a newer mmstorm stores.  Starts no daemon or workload.
. "$(dirname "$0")/lib.sh"
F="$TOP/tests/fixtures/runs"

test_expect 'import the VM lab runs (kmsg and daemon events)' '
	mmstorm import "$F/two-builds.jsonl" > imp.txt &&
	sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM events WHERE source = '\''kmsg'\''" > n.txt &&
	test "$(cat n.txt)" -eq 3
'

# What an older classifier stored: a soft lockup without its frame, and a
# lockdep report as a plain warning with no function.
test_expect 'titles of an older classifier' '
	sqlite3 "$MMSTORM_DB" "UPDATE events SET title = '\''BUG: soft lockup'\'', signature = '\''old'\'' WHERE kind = '\''soft_lockup'\''" &&
	sqlite3 "$MMSTORM_DB" "INSERT INTO events (run_id, kernel_id, host_id, boot_id, kind, title, signature, t_ns, source, text) SELECT run_id, kernel_id, host_id, boot_id, '\''warning'\'', '\''possible deadlock'\'', '\''old2'\'', t_ns + 1, '\''kmsg'\'', '\''WARNING: possible circular locking dependency detected'\'' || char(10) || '\''a/1 is trying to acquire lock:'\'' || char(10) || '\''ffff8880 (&bdev->bd_mutex){+.+.}, at: blkdev_reread_part+0x1f/0x40'\'' FROM events WHERE kind = '\''soft_lockup'\''" &&
	sqlite3 "$MMSTORM_DB" "SELECT kind, title FROM events ORDER BY id" > before.txt
'

test_expect '--dry-run counts and changes nothing' '
	mmstorm lockups --retitle --dry-run > out.txt &&
	grep -q "^would retitle 2 of 4 kernel-log events$" out.txt &&
	sqlite3 "$MMSTORM_DB" "SELECT kind, title FROM events ORDER BY id" > same.txt &&
	cmp before.txt same.txt
'

test_expect '--retitle gives the current kinds, titles and signatures' '
	mmstorm lockups --retitle > out.txt &&
	grep -q "^retitled 2 of 4 kernel-log events$" out.txt &&
	sqlite3 "$MMSTORM_DB" "SELECT kind || '\''|'\'' || title FROM events WHERE source = '\''kmsg'\'' ORDER BY id" > after.txt &&
	grep -qx "soft_lockup|BUG: soft lockup in mmstorm_inject_softlockup_fn" after.txt &&
	grep -qx "lockdep|possible deadlock in blkdev_reread_part" after.txt &&
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM events WHERE signature IN ('\''old'\'', '\''old2'\'')")" -eq 0 &&
	mmstorm lockups --retitle > again.txt &&
	grep -q "^retitled 0 of 4 kernel-log events$" again.txt
'

test_expect 'daemon events are left alone' '
	test "$(sqlite3 "$MMSTORM_DB" "SELECT count(*) FROM events WHERE source = '\''daemon'\'' AND title = '\''mmstormd: heartbeat stalled'\''")" -eq 3
'

test_expect '--dry-run alone is a usage error' '
	expect_exit 2 mmstorm lockups --dry-run
'

test_done
