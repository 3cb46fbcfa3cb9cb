#!/bin/sh
# The layout's rules (docs/architecture.md), checked on the source so a
# change that breaks one fails here, not in review:
#  - an include names its folder, and a folder includes only the folders
#    below it;
#  - only the store's driver talks to SQLite, and SQL text lives only in
#    store/, jobs/ (the queue) and analysis/ (behind the store handle);
#  - the workload registry is handed down: nothing below cli/ and daemon/
#    looks a workload up by name.
. "$(dirname "$0")/lib.sh"
cd "$TOP"

# folder: the folders it may include (itself always)
allowed() {
	case $1 in
	common) echo "" ;;
	probe) echo "common" ;;
	kmsg) echo "common" ;;
	store) echo "common probe kmsg" ;;
	run) echo "common probe kmsg store" ;;
	workloads) echo "common probe run" ;;
	jobs) echo "common probe store run" ;;
	analysis) echo "common probe store" ;;
	reports) echo "common probe store run analysis" ;;
	cli) echo "common probe kmsg store run workloads jobs analysis reports" ;;
	daemon) echo "common probe kmsg store run workloads jobs analysis reports" ;;
	esac
}
LAYERS="common probe kmsg store run workloads jobs analysis reports cli daemon"

test_expect 'every include of ours names its folder' '
	git -C "$TOP" grep -nE "^#include \"[^/]*\"" -- $(for d in $LAYERS; do echo "$d/*.[ch]"; done) > bad || true
	if [ -s bad ]; then cat bad; false; fi
'

test_expect 'a folder includes only the folders below it' '
	: > bad
	for d in $LAYERS; do
		ok="$d $(allowed $d)"
		git -C "$TOP" grep -hoE "^#include \"[a-z]+/" -- "$d/*.[ch]" |
		    sed "s/^#include \"//; s|/\$||" | sort -u > used
		while read -r u; do
			case " $ok " in *" $u "*) ;; *) echo "$d/ includes $u/" >> bad ;; esac
		done < used
	done
	if [ -s bad ]; then cat bad; false; fi
'

test_expect 'only store/sqlite.c talks to SQLite' '
	git -C "$TOP" grep -lE "sqlite3|SQLITE_" -- $(for d in $LAYERS; do echo "$d/*.[ch]"; done) |
	    grep -v "^store/sqlite\.c\$" > bad || true
	if [ -s bad ]; then cat bad; false; fi
'

test_expect 'only store/postgresql.c and store/pg-async.c talk to libpq' '
	git -C "$TOP" grep -lE "libpq-fe\.h|PQ[a-z]+\(" -- $(for d in $LAYERS; do echo "$d/*.[ch]"; done) |
	    grep -vE "^store/(postgresql|pg-async)\.c\$" > bad || true
	if [ -s bad ]; then cat bad; false; fi
'

test_expect 'SQL text only in store/, jobs/ and analysis/' '
	git -C "$TOP" grep -nE "\"(SELECT|INSERT|UPDATE|DELETE|CREATE|BEGIN|PRAGMA|WITH) " -- \
	    $(for d in common probe kmsg run workloads reports cli daemon; do echo "$d/*.[ch]"; done) > bad || true
	if [ -s bad ]; then cat bad; false; fi
'

test_expect 'the check above sees SQL where it is' '
	git -C "$TOP" grep -qE "\"(SELECT|INSERT) " -- "store/*.c"
'

test_expect 'nothing below cli/ and daemon/ looks up a workload by name' '
	git -C "$TOP" grep -nE "workload_find|workloads_all|wl_(hotplug|thp_munmap|percpu_churn|mmap_churn)\b" -- \
	    $(for d in common probe kmsg store run jobs analysis reports; do echo "$d/*.[ch]"; done) > bad || true
	if [ -s bad ]; then cat bad; false; fi
'

test_done
