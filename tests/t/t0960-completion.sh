#!/bin/sh
# Shell completion: completion/mmstorm's function, driven as bash drives
# it (COMP_WORDS, COMP_CWORD), offers the commands, options, workloads,
# workload options and values from the tables mmstorm parses with, run
# ids and kernel builds from the database, file names where a file goes,
# quickly on a database of a few hundred runs.
. "$(dirname "$0")/lib.sh"

# tab WORD...: the candidates the completion offers for the last WORD
# (COMP_WORDS as bash splits them: "--thp" "=" "al"), one per line.
tab() {
	bash -c '
		. "$1/completion/mmstorm"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_mmstorm
		printf "%s\n" "${COMPREPLY[@]}"
	' tab "$TOP" mmstorm "$@" | sed '/^$/d'
}

# the lines of a JSON listing's field, sorted: json_field FIELD FILE
json_field() {
	python3 -c 'import json,sys
for l in open(sys.argv[2]):
    print(json.loads(l)[sys.argv[1]])' "$1" "$2" | sort
}

if ! command -v bash > /dev/null; then
	test_skip_rest "no bash on this machine"
fi

test_expect 'commands: every command for nothing, the matching ones for a prefix' '
	tab "" > got &&
	mmstorm --help | sed -n "s/^  \([a-z-]*\) .*/\1/p" > want &&
	test -s want && diff want got &&
	tab re > got &&
	printf "%s\n" regressions report > want && diff want got &&
	tab --ver > got && test "$(cat got)" = --version
'

test_expect 'the hidden completion command is not listed' '
	! tab "" | grep -q complete &&
	! mmstorm --help | grep -q __complete
'

test_expect 'a command offers its own options and the common ones' '
	tab runs -- > got &&
	for o in --workload --state --kernel --limit --json --db --help; do
		grep -qx -- "$o" got || { echo "no $o"; exit 1; }
	done &&
	tab run --qu > got && test "$(cat got)" = --quiet
'

test_expect 'workload names are the ones mmstorm workloads lists' '
	mmstorm workloads --json > w.json &&
	json_field name w.json > want &&
	tab run "" | sort > got && diff want got &&
	tab workloads "" | sort > got && diff want got &&
	tab runs --workload "" | sort > got && diff want got
'

test_expect 'a workload offers each option of its table as --name=' '
	mmstorm workloads --json > w.json &&
	for wl in $(json_field name w.json); do
		python3 -c "import json,sys
for l in open(\"w.json\"):
    w = json.loads(l)
    if w[\"name\"] == sys.argv[1]:
        for o in w[\"options\"]: print(\"--%s=\" % o[\"name\"])" "$wl" | sort > want &&
		tab run "$wl" -- | grep = | sort > got &&
		diff want got || exit 1
	done
'

test_expect 'an enum option offers its choices, after = split or not' '
	tab run thp-munmap --thp = "" | sort > got &&
	printf "%s\n" always madvise > want && diff want got &&
	tab run thp-munmap --thp = al > got && test "$(cat got)" = always &&
	tab run thp-munmap --thp=ma > got && test "$(cat got)" = --thp=madvise &&
	tab run hotplug --pressure = "" | sort > got &&
	printf "%s\n" builtin direct none stress-ng > want && diff want got
'

test_expect 'choices in a usage line are offered (report --format)' '
	tab report --format "" > got &&
	printf "%s\n" text json html > want && diff want got
'

# A few hundred runs: the fixtures imported several times under new ids.
python3 - "$TOP/tests/fixtures/runs" "$SCRATCH" <<'PY'
import hashlib, json, re, sys, uuid
pat = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')
k = 0
for copy in range(5):
    for f in ('two-builds', 'two-releases', 'init-on-alloc'):
        lines = open('%s/%s.jsonl' % (sys.argv[1], f)).read().splitlines()
        ids = {}
        body = ''.join(pat.sub(lambda m: ids.setdefault(m.group(0),
            str(uuid.uuid4())), l) + '\n' for l in lines[:-1])
        end = json.loads(lines[-1])
        end['sha256'] = hashlib.sha256(body.encode()).hexdigest()
        open('%s/copy%d.jsonl' % (sys.argv[2], k), 'w').write(
            body + json.dumps(end) + '\n')
        k += 1
PY
for f in "$SCRATCH"/copy*.jsonl; do
	mmstorm import "$f" > /dev/null
done

test_expect 'run ids come from the database (mmstorm runs)' '
	mmstorm runs --limit 100000 --json > runs.json &&
	json_field run runs.json > want &&
	test "$(wc -l < want)" -ge 300 &&
	tab show "" | sort > got && diff want got &&
	u=$(head -n 1 want) &&
	tab show "$(echo "$u" | cut -c1-6)" > got && grep -qx "$u" got &&
	tab --db "$MMSTORM_DB" samples "" | sort > got && diff want got
'

test_expect 'kernel builds come from the database (mmstorm kernels)' '
	mmstorm kernels --json > k.json &&
	json_field release k.json | uniq > want &&
	tab compare "" > got &&
	grep -qx running got &&
	while read -r r; do grep -qx -- "$r" got || exit 1; done < want &&
	tab regressions --baseline "" > got2 && diff got got2
'

test_expect 'nothing past the last operand' '
	u=$(tab show "" | head -n 1) &&
	test -z "$(tab show "$u" "")" &&
	test -z "$(tab run thp-munmap "")"
'

test_expect 'file names where a file goes' '
	mkdir files && : > files/export.jsonl &&
	tab import files/ex > got && test "$(cat got)" = files/export.jsonl &&
	tab export -o files/ex > got && test "$(cat got)" = files/export.jsonl &&
	tab --db files/ex > got && test "$(cat got)" = files/export.jsonl
'

# ztab WORD...: what completion/_mmstorm hands zsh's compadd ("ADD[...]")
# or _files ("FILES"), the completion builtins stubbed as functions.
ztab() {
	zsh -fc '
		compadd() { print -r -- "ADD[$*]"; }
		compset() { :; }
		_files() { print FILES; }
		words=(mmstorm "$@")
		CURRENT=$#words
		source "$ZTOP/completion/_mmstorm"
	' ztab "$@"
}

if command -v zsh > /dev/null; then
	test_expect 'zsh: the same candidates, "--name=" without a space' '
		export ZTOP="$TOP" &&
		test "$(ztab re)" = "ADD[-- regressions report]" &&
		test "$(ztab run thp-munmap --thp=al)" = "ADD[-- always]" &&
		ztab run thp-munmap --si > got &&
		grep -qx "ADD\[-S  -- --size=\]" got &&
		test "$(ztab import x)" = FILES &&
		u=$(tab show "" | head -n 1) &&
		test "$(ztab show "$(echo "$u" | cut -c1-8)")" = "ADD[-- $u]" &&
		test -z "$(ztab show "$u" "")"
	'
else
	test_skip 'zsh: the same candidates' 'no zsh on this machine'
fi

test_expect 'a Tab takes under 100 ms on a few hundred runs' '
	bash -c '\''
		. "$1/completion/mmstorm"
		COMP_WORDS=(mmstorm show ""); COMP_CWORD=2
		s=$(date +%s%N)
		for i in 1 2 3 4 5 6 7 8 9 10; do _mmstorm; done
		ms=$((($(date +%s%N) - s) / 10000000))
		echo "$ms ms per Tab, ${#COMPREPLY[@]} candidates"
		test ${#COMPREPLY[@]} -ge 300 && test $ms -lt 100
	'\'' tab "$TOP"
'

test_done
