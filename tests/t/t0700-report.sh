#!/bin/sh
# report: text, JSON and the self-contained HTML of real runs; the HTML
# is well-formed, names no URL, escapes what the database holds, and
# (with Debian's chromium) renders offline to a PNG with its plots.
. "$(dirname "$0")/lib.sh"

present=$(cat /sys/devices/system/cpu/present)
# The hotplug run takes CPUs offline: whatever happens, put them back.
restore_cpus() {
	for f in /sys/devices/system/cpu/cpu[0-9]*/online; do
		[ "$(cat "$f")" = 1 ] || echo 1 > "$f"
	done 2>/dev/null
	cleanup_scratch
}
trap restore_cpus EXIT

# A real run: thp-munmap where THP works, else mmap-churn.
thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
case "$thp" in
""|*"[never]"*)
	wl=mmap-churn; wl_args="--duration=2s --iterations=0"
	primary=maps_per_s ;;
*)
	wl=thp-munmap; wl_args="--size=64M --threads=1 --iterations=3"
	primary=munmap_ms ;;
esac

# check_html FILE: an HTML5 document whose tags balance (void elements
# aside), one html/head/body/title, no script, no attribute that loads
# anything (src, href other than #fragment, on* handlers), every <svg>
# block parses as XML, UTF-8 throughout.
cat > "$SCRATCH/check_html.py" <<'EOF'
import collections, html.parser, re, sys, xml.etree.ElementTree as ET

VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input',
        'link', 'meta', 'source', 'track', 'wbr'}
LOADS = {'src', 'srcset', 'href', 'xlink:href', 'action', 'data',
         'poster', 'background', 'formaction'}

class Check(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors = [], []
        self.tags = collections.Counter()
        self.doctype = False

    def handle_decl(self, decl):
        self.doctype = decl.lower() == 'doctype html'

    def attrs_ok(self, tag, attrs):
        for k, v in attrs:
            if k.startswith('on'):
                self.errors.append('handler %s on <%s>' % (k, tag))
            if k in LOADS and not (k == 'href' and (v or '').startswith('#')):
                self.errors.append('%s=%r on <%s>' % (k, v, tag))

    def handle_starttag(self, tag, attrs):
        # an SVG <title> is a tooltip, not the document's title
        if tag == 'title' and any(t == 'svg' for t, _ in self.stack):
            tag = 'svg:title'
        self.tags[tag] += 1
        self.attrs_ok(tag, attrs)
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        self.tags[tag] += 1
        self.attrs_ok(tag, attrs)

    def handle_endtag(self, tag):
        if tag == 'title' and self.stack and self.stack[-1][0] == 'svg:title':
            tag = 'svg:title'
        if tag in VOID:
            self.errors.append('</%s> at %s' % (tag, self.getpos()))
        elif not self.stack or self.stack[-1][0] != tag:
            self.errors.append('</%s> at %s closes %s' % (tag, self.getpos(),
                               self.stack[-1] if self.stack else 'nothing'))
        else:
            self.stack.pop()

raw = open(sys.argv[1], 'rb').read()
text = raw.decode('utf-8')          # strict: raises on bad UTF-8
p = Check()
p.feed(text)
p.close()
err = p.errors
if not p.doctype:
    err.append('no <!DOCTYPE html>')
if p.stack:
    err.append('unclosed: %s' % p.stack)
for t in ('html', 'head', 'body', 'title'):
    if p.tags[t] != 1:
        err.append('%d <%s>' % (p.tags[t], t))
if p.tags['script'] or p.tags['iframe'] or p.tags['link']:
    err.append('script/iframe/link present')
if not re.search(r'<meta charset="utf-8">', text):
    err.append('no meta charset')
if re.search(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]', text):
    err.append('control characters')
svgs = re.findall(r'<svg\b.*?</svg>', text, re.S)
for s in svgs:
    try:
        ET.fromstring(s)
    except ET.ParseError as e:
        err.append('svg does not parse: %s: %s' % (e, s[:200]))
if err:
    print('\n'.join(err[:20]))
    sys.exit(1)
print('%d tags, %d svg' % (sum(p.tags.values()), len(svgs)))
EOF

# check_png FILE BLANK: a PNG of the window size, much larger than the
# PNG of an empty page (the plots are there, not just a white sheet).
cat > "$SCRATCH/check_png.py" <<'EOF'
import os, struct, sys
png, blank = sys.argv[1], sys.argv[2]
data = open(png, 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
w, h = struct.unpack('>II', data[16:24])
assert (w, h) == (1200, 3000), 'size %dx%d' % (w, h)
n, b = os.path.getsize(png), os.path.getsize(blank)
assert n > 4 * b and n > 50000, 'png %d bytes, blank page %d' % (n, b)
print('%dx%d, %d bytes (blank page %d)' % (w, h, n, b))
EOF

# check_report run|compare HTML JSON: the HTML leads with the headline
# (a run: its Result; a comparison: its Changes), and what is zero
# throughout is named on an "all zero:" line instead of drawn or given a
# row, as the JSON report of the same run or comparison says.
cat > "$SCRATCH/check_report.py" <<'EOF'
import html, json, re, sys

kind, hpath, jpath = sys.argv[1:4]
h = open(hpath, encoding='utf-8').read()
j = json.load(open(jpath))
err = []

def at(s):
    i = h.find(s)
    return i if i >= 0 else float('inf')

def section(name):
    m = re.search(r'<section id="%s">(.*?)</section>' % name, h, re.S)
    return m.group(1) if m else ''

zero = set()
for line in re.findall(r'<p class="allzero">all zero: (.*?)</p>', h):
    zero.update(html.unescape(x) for x in re.findall(r'<code>(.*?)</code>', line))
drawn = set(html.unescape(t) for t in
            re.findall(r'<svg class="plot"[^>]*><title>(.*?)</title>', h))

if kind == 'run':
    if not at('id="headline"') < at('id="summary"') < at('id="metrics"') < at('id="counters"'):
        err.append('the Result is not first')
    if re.search(r'<svg class="plot"', h[:int(min(at('id="headline"'), len(h)))]):
        err.append('a plot before the Result')
    for p in j['plots']:
        z = all(l['n'] == 0 or (l['min'] == 0 and l['max'] == 0) for l in p['lines'])
        t = '%s (%s)' % (p['title'], p['unit'])
        if z != (p['title'] in zero) or z == (t in drawn):
            err.append('plot %r: zero %s, listed %s, drawn %s' %
                       (p['title'], z, p['title'] in zero, t in drawn))
    for name, v in j['value_stats'].items():
        z = v['n'] == 0 or (v['min'] == 0 and v['max'] == 0)
        d = '<h3>%s</h3>' % html.escape(name) in section('values')
        if z != (name in zero) or z == d:
            err.append('values %r: zero %s, listed %s, drawn %s' %
                       (name, z, name in zero, d))
    for name, v in j['run']['metrics'].items():
        row = '<td>%s</td>' % html.escape(name) in section('metrics')
        if (v == 0) != (name in zero) or (v == 0) == row:
            err.append('metric %r = %r: listed %s, row %s' %
                       (name, v, name in zero, row))
else:
    if not at('id="summary"') < at('id="changes"') < at('id="metrics"'):
        err.append('the Changes are not first')
    ms = j['comparison']['metrics']
    want = [(m['workload'], m['metric'], m['mark']) for m in ms
            if m['mark'] != 'same']
    rows = re.findall(r'<tr><td>(.*?)</td><td class="name">(.*?) <span.*?'
                      r'<td class="mark-\w+">(.*?)</td>', section('changes'))
    rows = [tuple(html.unescape(x) for x in r) for r in rows]
    if sorted(rows) != sorted(want):
        err.append('changes %r, want %r' % (rows, want))
    marks = [r[2] for r in rows]
    if marks != sorted(marks, key=lambda m: m != 'regression'):
        err.append('regressions do not come first: %r' % marks)
    for m in ms:
        z = (m['base']['n'] and m['new']['n'] and m['base']['mean'] == 0 and
             m['new']['mean'] == 0 and m['base']['stddev'] == 0 and
             m['new']['stddev'] == 0)
        row = '<td class="name">%s <span' % html.escape(m['metric']) in section('metrics')
        if z and (m['metric'] not in zero or row):
            err.append('%s is zero on both builds but has a row' % m['metric'])
if err:
    print('\n'.join(err[:20]))
    sys.exit(1)
print('%s report: %d zero series listed, %d plots drawn' % (kind, len(zero), len(drawn)))
EOF

# overflow.js: the number of elements wider than their box (a table
# scrolling sideways) and the page width, into the title for --dump-dom.
cat > "$SCRATCH/overflow.js" <<'EOF'
<script>
var n = 0;
document.querySelectorAll("body, body *").forEach(function (e) {
	/* no ampersand: the script goes through sed */
	if (e.clientWidth > 0)
		if (e.scrollWidth > e.clientWidth + 1) n++;
});
document.title = "overflow " + n + " page " +
    document.documentElement.scrollWidth + " window " + window.innerWidth;
</script>
EOF

check_html() {
	python3 "$SCRATCH/check_html.py" "$1"
}

check_report() {
	python3 "$SCRATCH/check_report.py" "$@"
}

# No URL anywhere, nothing that could fetch one.
self_contained() {
	! grep -qiE 'https?://|ftp://' "$1" &&
	! grep -qiE '<script|<link|<iframe|<img|<object|<embed|url\(|@import' "$1" &&
	! grep -qiE '<[a-z][^>]*[[:space:]](src|href|srcset)=' "$1"
}

test_expect "run $wl, report it as HTML" '
	mmstorm run $wl $wl_args --repeat 3 --json > runs.json &&
	test $(wc -l < runs.json) -eq 3 &&
	json_get runs.json "j[\"run\"]" > uuid &&
	test "$(json_get runs.json "j[\"state\"]")" = passed &&
	mmstorm report $(cat uuid) --html r.html &&
	test -s r.html &&
	head -n 1 r.html | grep -qx "<!DOCTYPE html>"
'

test_expect 'the HTML is well-formed and every <svg> parses as XML' '
	check_html r.html
'

test_expect 'self-contained: no URL, no script, no external resource' '
	self_contained r.html &&
	grep -q "<style>" r.html
'

test_expect 'it has the header, metrics, values and counter plots' '
	uuid=$(cat uuid) &&
	grep -q "$uuid" r.html &&
	grep -q "$(uname -r)" r.html &&
	grep -q "id=\"metrics\"" r.html &&
	grep -q ">$primary<" r.html &&
	test $(grep -c "<svg class=\"plot\"" r.html) -ge 3 &&
	grep -q "<polyline class=\"line\"" r.html &&
	grep -q "<path " r.html &&
	grep -q ">histogram<" r.html && grep -q ">CDF<" r.html &&
	grep -q "class=\"p99\"" r.html
'

test_expect 'the Result leads; zero series are one line, not plots' '
	mmstorm report $(cat uuid) --format json > r0.json &&
	check_report run r.html r0.json &&
	grep -q "<div class=\"card\"><span class=\"v\">[-0-9.]*</span> [^<]*<br><code>$primary</code>" r.html
'

test_expect 'text the database holds is escaped, events are marked' '
	uuid=$(cat uuid) &&
	sqlite3 "$MMSTORM_DB" "INSERT INTO events (run_id, kernel_id, host_id, boot_id, kind, title, signature, t_ns, source, text) SELECT id, kernel_id, host_id, boot_id, '"'"'soft_lockup'"'"', '"'"'BUG: soft lockup in <script>alert(1)</script> & co'"'"', '"'"'t0700'"'"', (started_ns + ended_ns) / 2, '"'"'kmsg'"'"', '"'"'watchdog: BUG: soft lockup'"'"' || char(10) || '"'"'<img src=x onerror=alert(1)>'"'"' || char(10) || char(1) || char(255) FROM runs WHERE uuid = '"'"'$uuid'"'"'" &&
	mmstorm report $uuid --html e.html &&
	check_html e.html &&
	self_contained e.html &&
	grep -q "soft lockup in &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" e.html &&
	grep -q "&lt;img src=x onerror=alert(1)&gt;" e.html &&
	grep -q "<g class=\"event\"><title>soft_lockup: BUG" e.html &&
	grep -q "<details><summary>" e.html &&
	sed -n "/<section id=\"headline\">/,/<\/section>/p" e.html > e-head.html &&
	grep -q "<p class=\"alert\">1 event during the run" e-head.html &&
	grep -q "<g class=\"event\"><title>soft_lockup: BUG" e-head.html
'

test_expect 'report --format text: the run as aligned tables' '
	mmstorm report $(cat uuid) > r.txt &&
	grep -q "^workload  *$wl" r.txt &&
	grep -q "^state  *passed" r.txt &&
	grep -q "^METRIC  *VALUE  *UNIT  *BETTER" r.txt &&
	grep -q "^$primary " r.txt &&
	grep -q "^COUNTER  *SHOWN" r.txt &&
	mmstorm report $(cat uuid) --format text --output r2.txt &&
	cmp r.txt r2.txt
'

test_expect 'report --format json: stable keys, plots at most 2000 points' '
	mmstorm report $(cat uuid) --format json > r.json &&
	test $(wc -l < r.json) -eq 1 &&
	test "$(json_get r.json "j[\"report\"]")" = run &&
	test "$(json_get r.json "j[\"version\"]")" = 1 &&
	test "$(json_get r.json "j[\"run\"][\"run\"]")" = "$(cat uuid)" &&
	json_get r.json "\"$primary\" in j[\"run\"][\"metrics\"] and j[\"samples\"] > 0" | grep -qx True &&
	json_get r.json "len(j[\"plots\"]) > 0 and all(len(l[\"points\"]) <= 2000 for p in j[\"plots\"] for l in p[\"lines\"])" | grep -qx True &&
	json_get r.json "all(p[\"kind\"] in (\"rate\", \"level\") for p in j[\"plots\"])" | grep -qx True &&
	json_get r.json "any(m[\"kind\"] == \"event\" for m in j[\"marks\"])" | grep -qx True
'

if [ "$(id -u)" -eq 0 ] && [ -w /sys/devices/system/cpu/cpu1/online ]; then
	test_expect 'hotplug: transitions on the time axis, offline/online histograms' '
		mmstorm run hotplug --require_path=0 --pressure=none --cycles=3 --json > hp.json &&
		echo "run: $(json_get hp.json "(j[\"state\"], j[\"reason\"])"), online CPUs after: $(cat /sys/devices/system/cpu/online)" &&
		test "$(json_get hp.json "j[\"state\"]")" = passed &&
		test "$(cat /sys/devices/system/cpu/online)" = "$present" &&
		json_get hp.json "j[\"run\"]" > hp.uuid &&
		mmstorm report $(cat hp.uuid) --html hp.html &&
		check_html hp.html &&
		self_contained hp.html &&
		grep -q "<title>CPU offline: [0-9]*</title>" hp.html &&
		grep -q "<title>CPU online: [0-9]*</title>" hp.html &&
		grep -q "<h3>offline_ms</h3>" hp.html &&
		grep -q "<h3>online_ms</h3>" hp.html &&
		grep -q "function-call IPIs (/s)" hp.html &&
		grep -q "online CPUs (count)" hp.html &&
		mmstorm report $(cat hp.uuid) --format json > hp-r.json &&
		check_report run hp.html hp-r.json &&
		sed -n "/<section id=\"headline\">/,/<\/section>/p" hp.html > hp-head.html &&
		grep -q "<code>offline_ms_p50</code>" hp-head.html &&
		grep -q "<svg class=\"plot\"[^>]*><title>transition latency (ms)</title>" hp-head.html &&
		grep -q "<title>CPU offline: [0-9]*</title>" hp-head.html &&
		grep -Eq "<title>direct reclaim per cycle \(|<code>direct reclaim per cycle</code>" hp-head.html
	'
else
	test_skip "hotplug report" "needs root and a hot-pluggable cpu1"
fi

test_expect 'report --kernel: runs, metrics per workload, events' '
	mmstorm report --kernel running > k.txt &&
	grep -q "^kernel  *$(uname -r)" k.txt &&
	grep -q "^runs  *[1-9]" k.txt &&
	mmstorm report --kernel running --format json > k.json &&
	test "$(json_get k.json "j[\"report\"]")" = kernel &&
	json_get k.json "len(j[\"runs\"]) >= 3 and any(m[\"metric\"] == \"$primary\" and m[\"n\"] == 3 for m in j[\"metrics\"])" | grep -qx True &&
	json_get k.json "any(e[\"kind\"] == \"soft_lockup\" for e in j[\"events\"])" | grep -qx True &&
	mmstorm report --kernel running --html k.html &&
	check_html k.html &&
	self_contained k.html
'

# A second build with the primary metric far worse (1000 ms more, or a
# thousandth: beyond any noise of these runs): the same runs copied
# under another kernel row (uuids starting 7007).
test_expect 'report --compare: a table per workload with change bars' '
	sqlite3 "$MMSTORM_DB" "
	INSERT INTO kernels (build_key, release, version, cmdline, first_seen_ns) VALUES ('"'"'t0700-new'"'"', '"'"'t0700-new'"'"', '"'"'synthetic'"'"', '"'"''"'"', 1);
	INSERT INTO runs (uuid, workload, params, state, reason, kernel_id, host_id, label, boot_id, host_state, created_ns, started_ns, ended_ns, exit_status) SELECT '"'"'7007'"'"' || substr(uuid, 5), workload, params, state, reason, (SELECT id FROM kernels WHERE build_key = '"'"'t0700-new'"'"'), host_id, '"'"'t0700-new'"'"', boot_id, host_state, created_ns, started_ns, ended_ns, exit_status FROM runs WHERE workload = '"'"'$wl'"'"';
	INSERT INTO metrics SELECT n.id, m.name, CASE WHEN m.name = '"'"'$primary'"'"' THEN (CASE m.better WHEN '"'"'lower'"'"' THEN m.value + 1000 ELSE m.value / 1000 END) ELSE m.value END, m.unit, m.better FROM metrics m JOIN runs o ON o.id = m.run_id JOIN runs n ON n.uuid = '"'"'7007'"'"' || substr(o.uuid, 5);" &&
	mmstorm report --compare running t0700-new --html c.html &&
	check_html c.html &&
	self_contained c.html &&
	grep -q "<h3>$wl</h3>" c.html &&
	grep -q "<svg class=\"bar\"" c.html &&
	grep -q "class=\"mark-regression\">regression<" c.html &&
	mmstorm report --compare running t0700-new --format json > c.json &&
	check_report compare c.html c.json &&
	sed -n "/<section id=\"changes\">/,/<\/section>/p" c.html | grep -q "<td class=\"name\">$primary <span" &&
	test "$(json_get c.json "j[\"report\"]")" = compare &&
	json_get c.json "[m[\"mark\"] for m in j[\"comparison\"][\"metrics\"] if m[\"metric\"] == \"$primary\"]" | grep -qx "\[.regression.\]" &&
	mmstorm report --compare running t0700-new --workload $wl > c.txt &&
	grep -q "^$primary .*regression" c.txt
'

# After the kernel and compare tests: they count the runs of $wl.
if [ $wl = thp-munmap ]; then
	test_expect 'thp-munmap with a sweep: munmap ms/GiB and IPIs against threads' '
		mmstorm run thp-munmap --size=64M --sweep=1,2 --iterations=1 --json > sw.json &&
		test "$(json_get sw.json "j[\"state\"]")" = passed &&
		mmstorm report $(json_get sw.json "j[\"run\"]") --html sw.html &&
		check_html sw.html &&
		sed -n "/<section id=\"headline\">/,/<\/section>/p" sw.html > sw-head.html &&
		grep -q "<h3>Against threads</h3>" sw-head.html &&
		grep -q "<svg class=\"xy\"[^>]*><title>munmap ms/GiB</title>" sw-head.html &&
		grep -q "<svg class=\"xy\"[^>]*><title>TLB shootdown IPIs</title>" sw-head.html &&
		test $(grep -o "<circle class=\"dot\" [^>]*><title>[12]: " sw-head.html | wc -l) -ge 4 &&
		! grep -q "<h3>Against threads</h3>" r.html
	'
fi

test_expect 'unknown run or build: exit 1; bad usage: exit 2; nothing changed' '
	before=$(db_fingerprint) &&
	expect_exit 1 mmstorm report 00000000-dead-beef-0000-000000000000 --html x.html &&
	test ! -e x.html &&
	expect_exit 1 mmstorm report --kernel no-such-build &&
	expect_exit 1 mmstorm report --compare running no-such-build &&
	expect_exit 2 mmstorm report &&
	expect_exit 2 mmstorm report $(cat uuid) extra &&
	expect_exit 2 mmstorm report $(cat uuid) --format xml &&
	grep -q "unknown format" "$SCRATCH/err" &&
	expect_exit 2 mmstorm report $(cat uuid) --html r.html --format text &&
	expect_exit 2 mmstorm report --kernel running --compare running running &&
	expect_exit 2 mmstorm report --bogus &&
	expect_exit 2 mmstorm report --compare running &&
	test "$before" = "$(db_fingerprint)"
'

test_expect 'an unwritable FILE is exit 1, and leaves nothing behind' '
	expect_exit 1 mmstorm report $(cat uuid) --html "$SCRATCH/no/such/dir/r.html" &&
	grep -q "cannot write" "$SCRATCH/err" &&
	mkdir ro && cp r.html ro/r.html && chmod 555 ro &&
	# root writes anywhere: without CAP_DAC_OVERRIDE it is held to the mode.
	nodac= &&
	if [ "$(id -u)" -eq 0 ]; then nodac="setpriv --bounding-set=-dac_override,-dac_read_search"; fi &&
	expect_exit 1 $nodac mmstorm report $(cat uuid) --html ro/r.html &&
	grep -q "cannot write" "$SCRATCH/err" &&
	cmp r.html ro/r.html &&
	chmod 755 ro &&
	test -z "$(ls ro | grep -v "^r.html$")"
'

chromium_render() {
	# $1 html, $2 png; no network (every host resolves to nothing),
	# a throw-away profile, at most two minutes.
	HOME="$SCRATCH" timeout 120 chromium --headless --no-sandbox \
	    --disable-gpu --disable-quic --no-first-run \
	    --disable-background-networking --disable-component-update \
	    --disable-sync --host-resolver-rules="MAP * ~NOTFOUND" \
	    --user-data-dir="$(mktemp -d "$SCRATCH/chromium.XXXXXX")" \
	    --screenshot="$2" --window-size=1200,3000 "file://$1" \
	    > /dev/null 2>&1
}

if [ -x /usr/bin/chromium ]; then
	test_expect 'headless chromium renders the report offline to a PNG with plots' '
		printf "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>blank</title></head><body></body></html>\n" > blank.html &&
		chromium_render "$SCRATCH/blank.html" "$SCRATCH/blank.png" &&
		chromium_render "$SCRATCH/e.html" "$SCRATCH/r.png" &&
		python3 "$SCRATCH/check_png.py" r.png blank.png
	'
	test_expect 'chromium parses the plots as SVG elements' '
		HOME="$SCRATCH" timeout 120 chromium --headless --no-sandbox \
		    --disable-gpu --no-first-run --disable-background-networking \
		    --host-resolver-rules="MAP * ~NOTFOUND" \
		    --user-data-dir="$(mktemp -d "$SCRATCH/chromium.XXXXXX")" \
		    --dump-dom "file://$SCRATCH/e.html" > dom.html 2> /dev/null &&
		test $(grep -o "<svg class=\"plot\"" dom.html | wc -l) -eq $(grep -o "<svg class=\"plot\"" e.html | wc -l) &&
		test $(grep -o "<polyline" dom.html | wc -l) -eq $(grep -o "<polyline" e.html | wc -l) &&
		! grep -q "<script" dom.html
	'
	test_expect 'the comparison fits a 1280 px window: nothing scrolls sideways' '
		sed "s#</body>#$(tr -d "\n" < overflow.js)</body>#" c.html > cw.html &&
		HOME="$SCRATCH" timeout 120 chromium --headless --no-sandbox \
		    --disable-gpu --no-first-run --disable-background-networking \
		    --host-resolver-rules="MAP * ~NOTFOUND" --window-size=1280,2000 \
		    --user-data-dir="$(mktemp -d "$SCRATCH/chromium.XXXXXX")" \
		    --dump-dom "file://$SCRATCH/cw.html" > cw-dom.html 2> /dev/null &&
		grep -o "<title>overflow [^<]*</title>" cw-dom.html > cw-title &&
		cat cw-title &&
		grep -Eq "<title>overflow 0 page ([0-9]{1,3}|1[01][0-9][0-9]|12[0-7][0-9]|1280) window 1280</title>" cw-title
	'
else
	test_skip "chromium rendering" "/usr/bin/chromium is not installed (Debian: chromium)"
	test_skip "chromium DOM" "/usr/bin/chromium is not installed"
	test_skip "comparison width" "/usr/bin/chromium is not installed"
fi

test_expect 'the database is intact' '
	test "$(sqlite3 "$MMSTORM_DB" "PRAGMA integrity_check")" = ok
'

test_done
