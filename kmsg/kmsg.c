/*
 * kmsg.c - kernel log records, saved logs, and the report classifier.
 *
 * How a report is gathered.  Lines arrive in log order, each with an
 * optional caller context ("T123"/"C1" from CONFIG_PRINTK_CALLER).  A line
 * that starts a report (match_header) opens a report for its context; the
 * lines after it go to the open report of their context, or, without
 * caller ids, to the "current" report.  A report is OPEN until its stack
 * ends ("</TASK>"), an "---[ end trace" line, a new report, or a 10 s gap
 * in timestamps; it then waits in TAIL, where only lines that plainly
 * continue a report (registers, "Kernel panic", more NMI backtraces,
 * "---[ end Kernel panic") are taken, and the first other line finishes it.
 * Without caller ids two reports can still be told apart when their
 * headers come first and their "CPU: N PID: N" lines later (as two
 * watchdogs firing together print them): a header whose report has no
 * CPU line yet stays pending, and a "CPU: N PID:" line switches to the
 * pending report whose header named that CPU or PID.
 *
 * How a report is titled: syzkaller's rules (pkg/report/linux.go), see
 * ../shared/reference/lockups_bisect.md section 1: the guilty frame is the
 * first frame that is not a helper (skip lists below); for lockups and RCU
 * stalls the frame just above the first "anchor" (do_syscall_64, kthread,
 * process_one_work, vfs_write, ...) of the interrupted context, so that a
 * loop gets one name wherever the watchdog caught it; for hung tasks the
 * first frame that is not scheduling, locking or waiting.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "kmsg/kmsg.h"
#include "common/sha256.h"
#include "common/util.h"

/* Reports whose last line is this much older than a new line are done. */
#define REPORT_GAP_USEC (10ULL * 1000 * 1000)
/* A pending report nobody has written to for this many lines is done. */
#define REPORT_STALE_LINES 1000
#define FRAME_MAX 256     /* Rust symbols run long */
#define FRAMES_MAX 64

/* ------------------------------------------------------------------ */
/* Small string helpers. */

static int
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *
skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static int
is_word_char(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse decimal digits at *s into *v; advances *s.  0 on success. */
static int
take_u64(const char **s, uint64_t *v)
{
	const char *p = *s;
	uint64_t n = 0;

	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		if (n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
		p++;
	}
	*s = p;
	*v = n;
	return 0;
}

static int
take_int(const char **s, int *v)
{
	uint64_t n;

	if (take_u64(s, &n) != 0 || n > 0x7fffffff)
		return -1;
	*v = (int)n;
	return 0;
}

/* Decode the kernel's \xNN escapes (printk.c msg_add_ext_text()). */
static void
unescape_into(struct buf *out, const char *s, size_t n)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' &&
		    (hi = hexval(s[i + 2])) >= 0 &&
		    (lo = hexval(s[i + 3])) >= 0) {
			if (hi * 16 + lo != 0)
				buf_addc(out, (char)(hi * 16 + lo));
			i += 3;
		} else if (s[i] != '\0')
			buf_addc(out, s[i]);
	}
}

/* ------------------------------------------------------------------ */
/* /dev/kmsg records. */

/*
 * "prio,seq,ts,flag[,more];" -- more fields may be added before ';' and
 * must be ignored (dev-kmsg), except caller= (CONFIG_PRINTK_CALLER).
 * Returns the offset of the text, or -1.
 */
static long
parse_kmsg_header(const char *s, size_t n, int *prio, uint64_t *seq,
    uint64_t *ts, char *flag, char caller[16])
{
	const char *p = s, *end = s + n, *semi, *f;
	uint64_t v;

	semi = memchr(s, ';', n);
	if (semi == NULL)
		return -1;
	if (take_u64(&p, &v) != 0 || v > 1023 || *p != ',')
		return -1;
	*prio = (int)v;
	p++;
	if (take_u64(&p, seq) != 0 || *p != ',')
		return -1;
	p++;
	if (take_u64(&p, ts) != 0 || (*p != ',' && *p != ';'))
		return -1;
	*flag = '-';
	caller[0] = '\0';
	if (*p == ',') {
		p++;
		if (p < semi && *p != ',')
			*flag = *p;
		/* Skip the flag field, then look at the extra fields. */
		while (p < semi && *p != ',')
			p++;
		while (p < semi) {
			f = ++p;
			while (p < semi && *p != ',')
				p++;
			if ((size_t)(p - f) > 7 && strncmp(f, "caller=", 7) == 0 &&
			    (size_t)(p - f - 7) < 16) {
				memcpy(caller, f + 7, (size_t)(p - f - 7));
				caller[p - f - 7] = '\0';
			}
		}
	}
	if (semi >= end)
		return -1;
	return (long)(semi + 1 - s);
}

int
kmsg_record_parse(const char *buf, size_t len, struct kmsg_record *rec,
    char **cause)
{
	struct buf text = BUF_INIT, val = BUF_INIT;
	const char *p, *nl, *end = buf + len, *eq;
	long off;
	int prio;

	memset(rec, 0, sizeof *rec);
	off = parse_kmsg_header(buf, len, &prio, &rec->seq, &rec->ts_usec,
	    &rec->flag, rec->caller);
	if (off < 0) {
		nl = memchr(buf, '\n', len);
		return set_cause(cause, EINVAL, "malformed kmsg record '%.*s'",
		    (int)((nl ? nl : end) - buf > 60 ? 60 :
		    (nl ? nl : end) - buf), buf);
	}
	rec->facility = prio >> 3;
	rec->level = prio & 7;
	p = buf + off;
	nl = memchr(p, '\n', (size_t)(end - p));
	unescape_into(&text, p, (size_t)((nl ? nl : end) - p));
	rec->text = text.s != NULL ? buf_detach(&text) : xstrdup("");
	/* Dictionary lines: " KEY=value\n" (printk.c msg_add_dict_text()). */
	while (nl != NULL && nl + 1 < end && nl[1] == ' ') {
		p = nl + 2;
		nl = memchr(p, '\n', (size_t)(end - p));
		eq = memchr(p, '=', (size_t)((nl ? nl : end) - p));
		if (eq == NULL)
			continue;
		buf_reset(&val);
		unescape_into(&val, eq + 1, (size_t)((nl ? nl : end) - eq - 1));
		if (eq - p == 9 && strncmp(p, "SUBSYSTEM", 9) == 0) {
			free(rec->subsystem);
			rec->subsystem = xstrdup(val.s ? val.s : "");
		} else if (eq - p == 6 && strncmp(p, "DEVICE", 6) == 0) {
			free(rec->device);
			rec->device = xstrdup(val.s ? val.s : "");
		}
	}
	buf_release(&val);
	return 0;
}

void
kmsg_record_clear(struct kmsg_record *rec)
{
	if (rec == NULL)
		return;
	free(rec->text);
	free(rec->subsystem);
	free(rec->device);
	memset(rec, 0, sizeof *rec);
}

/* ------------------------------------------------------------------ */
/* Lines of saved logs. */

/* "[   12.345678]" at s: the timestamp in microseconds; *end after ']'. */
static int
parse_ts_at(const char *s, uint64_t *ts, const char **end)
{
	const char *p = s;
	uint64_t sec, frac = 0;
	int digits = 0;

	if (*p++ != '[')
		return -1;
	while (*p == ' ')
		p++;
	if (take_u64(&p, &sec) != 0 || *p++ != '.')
		return -1;
	while (isdigit((unsigned char)*p)) {
		if (digits < 6) {
			frac = frac * 10 + (uint64_t)(*p - '0');
			digits++;
		}
		p++;
	}
	if (digits == 0 || *p != ']')
		return -1;
	while (digits++ < 6)
		frac *= 10;
	*ts = sec * 1000000 + frac;
	*end = p + 1;
	return 0;
}

/* "[  T123]" or "[    C1]" right after the timestamp. */
static int
parse_caller_at(const char *s, char caller[16], const char **end)
{
	const char *p = s + 1, *d;

	if (*s != '[')
		return -1;
	while (*p == ' ')
		p++;
	if (*p != 'T' && *p != 'C')
		return -1;
	d = p + 1;
	while (isdigit((unsigned char)*d))
		d++;
	if (d == p + 1 || *d != ']' || d - p >= 16)
		return -1;
	memcpy(caller, p, (size_t)(d - p));
	caller[d - p] = '\0';
	*end = d + 1;
	return 0;
}

/* "CPU: 1 PID: 123 Comm: x" (6.x adds "UID: 0" before PID). */
static int
parse_cpu_line(const char *t, int *cpu, int *pid)
{
	const char *p;

	if (!has_prefix(t, "CPU: "))
		return 0;
	p = t + 5;
	if (take_int(&p, cpu) != 0 || *p != ' ')
		return 0;
	p = strstr(p, "PID: ");
	*pid = -1;
	if (p != NULL) {
		p += 5;
		if (take_int(&p, pid) != 0)
			*pid = -1;
	}
	return 1;
}

static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/*
 * After a journal timestamp: " host ident: text".  Returns the text and
 * sets *facility (0 for the "kernel" identifier, else 1), or NULL.
 */
static const char *
journal_rest(const char *p, int *facility)
{
	const char *host, *ident, *colon;

	if (*p++ != ' ')
		return NULL;
	host = p;
	while (*p != '\0' && *p != ' ')
		p++;
	if (p == host || *p++ != ' ')
		return NULL;
	ident = p;
	colon = NULL;
	while (*p != '\0' && *p != ' ') {
		if (*p == ':' && (p[1] == ' ' || p[1] == '\0')) {
			colon = p;
			break;
		}
		p++;
	}
	if (colon == NULL || colon == ident)
		return NULL;
	*facility = (colon - ident == 6 && strncmp(ident, "kernel", 6) == 0) ?
	    0 : 1;
	return colon[1] == ' ' ? colon + 2 : colon + 1;
}

/* "Nov 21 12:00:00[.123456] host ident: text" and the ISO forms. */
static const char *
parse_journal(const char *s, int *facility)
{
	const char *p = s;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(months); i++)
		if (strncmp(s, months[i], 3) == 0)
			break;
	if (i < ARRAY_SIZE(months) && s[3] == ' ') {
		p = s + 4;
		if (*p == ' ')
			p++;
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p))
			p++;
		if (*p++ != ' ')
			return NULL;
	} else if (isdigit((unsigned char)s[0]) && strlen(s) > 19 &&
	    s[4] == '-' && s[7] == '-' && s[10] == 'T') {
		p = s + 11;
	} else
		return NULL;
	/* hh:mm:ss */
	if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
	    p[2] != ':' || !isdigit((unsigned char)p[3]) ||
	    !isdigit((unsigned char)p[4]) || p[5] != ':' ||
	    !isdigit((unsigned char)p[6]) || !isdigit((unsigned char)p[7]))
		return NULL;
	p += 8;
	if (*p == '.' || *p == ',') {
		p++;
		while (isdigit((unsigned char)*p))
			p++;
	}
	/* ISO time zone: Z, +hhmm, +hh:mm */
	if (*p == 'Z')
		p++;
	else if (*p == '+' || *p == '-') {
		p++;
		while (isdigit((unsigned char)*p) || *p == ':')
			p++;
	}
	return journal_rest(p, facility);
}

/* "kern  :warn  : " (dmesg -x): the facility, or -1. */
static int
parse_dmesg_decode(const char *s, const char **end)
{
	static const char *const fac[] = {
		"kern", "user", "mail", "daemon", "auth", "syslog", "lpr",
		"news", "uucp", "cron", "authpriv", "ftp",
	};
	const char *p;
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(fac); i++) {
		n = strlen(fac[i]);
		if (strncmp(s, fac[i], n) != 0)
			continue;
		p = s + n;
		while (*p == ' ')
			p++;
		if (*p++ != ':')
			return -1;
		while (islower((unsigned char)*p))
			p++;
		while (*p == ' ')
			p++;
		if (*p++ != ':' || *p++ != ' ')
			return -1;
		*end = p;
		return (int)i;
	}
	return -1;
}

/* Drop CRs, NULs and ANSI escape sequences (console noise). */
static char *
clean_line(const char *line, size_t len)
{
	struct buf b = BUF_INIT;
	size_t i;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	for (i = 0; i < len; i++) {
		if (line[i] == '\r' || line[i] == '\0')
			continue;
		if (line[i] == '\033') {
			if (i + 1 < len && line[i + 1] == '[') {
				i += 2;
				while (i < len && !(line[i] >= 0x40 &&
				    line[i] <= 0x7e))
					i++;
			} else
				i++;
			continue;
		}
		buf_addc(&b, line[i]);
	}
	return b.s != NULL ? buf_detach(&b) : xstrdup("");
}

void
kmsg_line_parse(const char *line, size_t len, struct kmsg_line *l)
{
	char *s = clean_line(line, len);
	const char *p, *t = NULL, *q;
	struct buf text = BUF_INIT;
	uint64_t seq, ts;
	long off;
	int prio, fac, cpu, pid;
	char flag;

	memset(l, 0, sizeof *l);
	l->format = KMSG_FORMAT_PLAIN;
	l->ts_usec = KMSG_NO_TS;
	l->facility = l->level = -1;
	l->seq = -1;
	l->flag = '-';
	l->cpu = l->pid = -1;

	if (isdigit((unsigned char)s[0]) &&
	    (off = parse_kmsg_header(s, strlen(s), &prio, &seq, &ts, &flag,
	    l->caller)) >= 0) {
		l->format = KMSG_FORMAT_KMSG;
		l->facility = prio >> 3;
		l->level = prio & 7;
		l->seq = (int64_t)seq;
		l->ts_usec = ts;
		l->flag = flag;
		unescape_into(&text, s + off, strlen(s + off));
		l->text = text.s != NULL ? buf_detach(&text) : xstrdup("");
		goto context;
	}
	if (has_prefix(s, "-- ") && strlen(s) >= 6 &&
	    strcmp(s + strlen(s) - 3, " --") == 0) {
		/* journalctl's "-- Boot 0123abcd... --" and friends. */
		l->format = KMSG_FORMAT_JOURNAL;
		l->boot = has_prefix(s, "-- Boot ") || has_prefix(s, "-- Reboot");
		l->text = xstrdup("");
		free(s);
		return;
	}
	if ((t = parse_journal(s, &fac)) != NULL) {
		l->format = KMSG_FORMAT_JOURNAL;
		l->facility = fac;
		/* rsyslog-style lines keep the kernel's own timestamp. */
		if (parse_ts_at(t, &ts, &q) == 0) {
			l->ts_usec = ts;
			t = *q == ' ' ? q + 1 : q;
		}
		goto done;
	}
	if ((fac = parse_dmesg_decode(s, &p)) >= 0) {
		l->format = KMSG_FORMAT_DMESG;
		l->facility = fac;
		t = p;
		if (parse_ts_at(p, &ts, &q) == 0) {
			l->ts_usec = ts;
			t = *q == ' ' ? q + 1 : q;
		}
		goto done;
	}
	/* dmesg/console: the first "[ sec.usec]", after any noise. */
	for (p = strchr(s, '['); p != NULL; p = strchr(p + 1, '[')) {
		if (parse_ts_at(p, &ts, &q) != 0)
			continue;
		l->format = KMSG_FORMAT_DMESG;
		l->ts_usec = ts;
		/* "<6>[ ..." console levels, "<14>" with dmesg -r. */
		if (p - s >= 3 && p[-1] == '>') {
			const char *lt = p - 2;

			while (lt > s && isdigit((unsigned char)*lt))
				lt--;
			if (*lt == '<' && lt + 1 < p - 1) {
				prio = atoi(lt + 1);
				l->facility = prio >> 3;
				l->level = prio & 7;
			}
		}
		if (parse_caller_at(q, l->caller, &q) != 0)
			l->caller[0] = '\0';
		t = *q == ' ' ? q + 1 : q;
		/* journalctl -o short-monotonic: "[ ts] host kernel: text" */
		if ((p = journal_rest(t - 1, &fac)) != NULL && fac == 0) {
			l->format = KMSG_FORMAT_JOURNAL;
			l->facility = 0;
			t = p;
		}
		goto done;
	}
	if (s[0] == '[' && isupper((unsigned char)s[1]) &&
	    (p = strstr(s, "] ")) != NULL && p - s == 25) {
		/* dmesg -T: "[Fri Nov 21 12:00:00 2025] text" */
		l->format = KMSG_FORMAT_DMESG;
		t = p + 2;
		goto done;
	}
	t = s;
done:
	l->text = xstrdup(t);
context:
	free(s);
	if (l->caller[0] == 'C')
		l->cpu = atoi(l->caller + 1);
	else if (l->caller[0] == 'T')
		l->pid = atoi(l->caller + 1);
	if (parse_cpu_line(l->text, &cpu, &pid)) {
		l->cpu = cpu;
		l->pid = pid;
	}
}

void
kmsg_line_clear(struct kmsg_line *l)
{
	if (l == NULL)
		return;
	free(l->text);
	l->text = NULL;
}

/* ------------------------------------------------------------------ */
/* Stack frames. */

/* Copy a symbol name at p (up to '+', '.', or a non-name byte). */
static size_t
copy_symbol(const char *p, char *out, size_t outsz)
{
	size_t n = 0;

	if (!(isalpha((unsigned char)*p) || *p == '_'))
		return 0;
	while (is_word_char(p[n]) || p[n] == '$')
		n++;
	if (n == 0 || n >= outsz)
		return 0;
	memcpy(out, p, n);
	out[n] = '\0';
	return n;
}

/* "func+0x12/0x34": the name, when an offset follows it. */
static int
symbol_with_offset(const char *p, char *out, size_t outsz)
{
	size_t n = copy_symbol(p, out, outsz);
	const char *q = p + n;

	if (n == 0)
		return 0;
	/* .cold, .isra.0, .constprop.0, .part.0, .llvm.123 suffixes */
	while (*q == '.' && (is_word_char(q[1])))
		for (q++; is_word_char(*q); q++)
			;
	return has_prefix(q, "+0x");
}

/* Skip "[<ffffffff81234567>] " address columns of older kernels. */
static const char *
skip_addresses(const char *p)
{
	const char *q;
	int i;

	for (i = 0; i < 2; i++) {
		if (p[0] != '[' || p[1] != '<')
			break;
		q = strstr(p, ">]");
		if (q == NULL)
			break;
		p = skip_blanks(q + 2);
	}
	return p;
}

/*
 * The kernel-mode function of a "RIP: 0010:func+0x.." line (also older
 * "RIP: 0010:[<ffff>]  [<ffff>] func+0x..", "IP: ..", arm64 "pc : ").
 */
static int
rip_symbol(const char *t, char *out, size_t outsz)
{
	const char *p = skip_blanks(t);

	if (has_prefix(p, "RIP: "))
		p += 5;
	else if (has_prefix(p, "IP: "))
		p += 4;
	else if (has_prefix(p, "EIP: "))
		p += 5;
	else if (has_prefix(p, "pc : "))
		return symbol_with_offset(p + 5, out, outsz);
	else
		return 0;
	/* "0010:" code segment; user mode is 0033/0023/002b and has no name. */
	while (isxdigit((unsigned char)*p))
		p++;
	if (*p == ':')
		p++;
	p = skip_addresses(skip_blanks(p));
	return symbol_with_offset(p, out, outsz);
}

/* A stack frame line; see kmsg_frame_parse().  Name not yet mapped. */
static int
frame_symbol(const char *t, char *out, size_t outsz, int *questionable)
{
	const char *p;

	*questionable = 0;
	if (t[0] != ' ' && t[0] != '\t' && t[0] != '[')
		return 0;
	p = skip_addresses(skip_blanks(t));
	if (p[0] == '?' && p[1] == ' ') {
		*questionable = 1;
		p = skip_addresses(skip_blanks(p + 2));
	}
	return symbol_with_offset(p, out, outsz);
}

/* Syscall wrappers differ by kernel and arch; syzkaller strips them. */
static void
map_syscall(char *name)
{
	static const char *const wrappers[] = {
		"__x64_sys_", "__ia32_sys_", "__arm64_sys_", "__s390x_sys_",
		"__se_sys_", "__do_sys_", "___sys_", "__sys_", "ksys_",
		"SyS_", "SYSC_",
	};
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(wrappers); i++) {
		n = strlen(wrappers[i]);
		if (strncmp(name, wrappers[i], n) == 0 && name[n] != '\0') {
			memmove(name + 4, name + n, strlen(name + n) + 1);
			memcpy(name, "sys_", 4);
			return;
		}
	}
}

int
kmsg_frame_parse(const char *line, char *out, size_t outsz,
    int *questionable)
{
	int q = 0;

	if (rip_symbol(line, out, outsz) ||
	    frame_symbol(line, out, outsz, &q)) {
		map_syscall(out);
		if (questionable != NULL)
			*questionable = q;
		return 1;
	}
	return 0;
}

/*
 * Pattern lists: "^x" prefix, "=x" whole name, "~x" a '_'-separated word
 * of the name, else a substring (syzkaller matches substrings).
 */
static int
pattern_match(const char *name, const char *pat)
{
	const char *p;
	size_t n;

	switch (pat[0]) {
	case '^':
		return has_prefix(name, pat + 1);
	case '=':
		return strcmp(name, pat + 1) == 0;
	case '~':
		n = strlen(pat + 1);
		for (p = name; (p = strstr(p, pat + 1)) != NULL; p++)
			if ((p == name || p[-1] == '_') &&
			    (p[n] == '\0' || p[n] == '_'))
				return 1;
		return 0;
	default:
		return strstr(name, pat) != NULL;
	}
}

static int
match_any(const char *name, const char *const *pats)
{
	for (; pats != NULL && *pats != NULL; pats++)
		if (pattern_match(name, *pats))
			return 1;
	return 0;
}

/*
 * Helpers that are never the guilty frame: reporting, tracing, locking,
 * string and copy routines, interrupt and NMI entry, the watchdogs.  A
 * subset of syzkaller's linuxStackParams.skipPatterns plus x86 entry code.
 */
static const char *const skip_global[] = {
	"__sanitizer", "__asan", "kasan", "__msan", "kmsan", "kcsan", "ubsan",
	"check_memory_region", "print_address_description",
	"panic", "invalid_op", "report_bug", "fixup_bug", "handle_bug",
	"do_error", "_trap", "dump_stack", "^show_", "^print_",
	"warn_slowpath", "warn_alloc", "__warn", "debug_object",
	"lockdep", "lock_acquire", "lock_release", "lock_class",
	"spin_lock", "spin_trylock", "spin_unlock", "_raw_read_",
	"_raw_write_", "queued_spin", "queued_read", "queued_write",
	"pv_queued", "=down", "down_read", "down_write", "up_read", "up_write",
	"mutex_lock", "mutex_trylock", "mutex_unlock", "osq_lock", "osq_unlock",
	"__wake_up", "refcount_", "memcpy", "memcmp", "memset", "memchr",
	"memmove", "strcmp", "strncmp", "strcpy", "strlcpy", "strncpy",
	"strscpy", "strlen", "strnlen", "strchr", "copy_to_user",
	"copy_from_user", "copy_user_", "put_user", "get_user", "might_fault",
	"might_sleep", "list_add", "list_del", "list_replace", "list_move",
	"list_splice", "_indirect_thunk_", "return_thunk", "printk",
	"=kfree", "kfree_skb",
	"^asm_exc_", "^exc_", "^asm_sysvec_", "^sysvec_", "^__sysvec_",
	"^asm_common_interrupt", "^common_interrupt", "^irqentry_",
	"^irq_exit", "^__irq_exit", "watchdog_timer_fn", "__hrtimer_run_queues",
	"hrtimer_interrupt", "^nmi_", "default_do_nmi", "end_repeat_nmi",
	"watchdog_overflow_callback", "__perf_event_overflow",
	"perf_event_nmi_handler", "handle_pmi_common", "intel_pmu_handle_irq",
	"amd_pmu_handle_irq", "^arch_trigger_", "^trigger_",
	NULL,
};
/* RCU stalls: RCU's own machinery and the timer interrupt. */
static const char *const skip_rcu[] = {
	"~rcu", "~srcu", "apic_timer_interrupt", "^update_process_times",
	"^tick_", NULL,
};
/* Hung tasks: where a task waits is never why (syzkaller). */
static const char *const skip_hang[] = {
	"sched", "_lock", "_slowlock", "down", "rwsem", "completion",
	"kthread", "wait", "synchronize", "context_switch", "__switch_to",
	"cancel_delayed_work", NULL,
};
/* Bad page state: the freeing or allocating path that noticed. */
static const char *const skip_bad_page[] = {
	"bad_page", "free", "release_pages", "folio_put", "put_page", "tlb_",
	"check_new_page", "prep_new_page", "rmqueue", "get_page_from_freelist",
	"alloc_pages", "__folio_batch", "page_counter", NULL,
};
static const char *const skip_list[] = { "list_", NULL };
static const char *const skip_sleep[] = { "might_", NULL };
static const char *const skip_sched[] = { "sched", NULL };
static const char *const skip_spin[] = { "spin_", NULL };

/*
 * Entry points of looping code (syzkaller's linuxStallAnchorFrames): a
 * stall is named after the frame just above the first of these.
 */
static const char *const stall_anchors[] = {
	"process_one_work", "do_syscall_", "do_fast_syscall_",
	"sysenter_dispatch", "tracesys_phase2", "netif_receive_skb",
	"do_softirq", "call_timer_fn", "_run_timers", "run_timer_softirq",
	"run_ksoftirqd", "smpboot_thread_fn", "kthread", "start_secondary",
	"cpu_startup_entry", "ret_from_fork", "vfs_write", "vfs_read",
	"vfs_iter_read", "vfs_iter_write", "do_iter_read", "do_iter_write",
	"vfs_ioctl", "ksys_ioctl", "compat_ioctl", "compat_sys_ioctl",
	"blkdev_driver_ioctl", "blkdev_ioctl", "^call_read_iter",
	"^call_write_iter", "do_iter_readv_writev", "^call_mmap",
	"mmap_region", "do_mmap", "do_dentry_open", "vfs_open",
	"^sock_sendmsg", "^sock_recvmsg", "^sock_release", "^__sock_release",
	"__sys_setsockopt", "kernel_setsockopt", "sock_common_setsockopt",
	"__sys_listen", "kernel_listen", "sk_common_release", "^sock_mmap",
	"__sys_accept", "kernel_accept", "^sock_do_ioctl", "^sock_ioctl",
	"^compat_sock_ioctl", "^nfnetlink_rcv_msg", "^rtnetlink_rcv_msg",
	"__do_fault", "handle_mm_fault", "do_page_fault", "=page_fault",
	"__fput", "task_work_run", "exit_to_usermode", "smp_call_function",
	NULL,
};

/* syzkaller's "^(compat_)?(SYSC|SyS|__sys|...)_(socketpair|connect|ioctl)" */
static int
syscall_anchor(const char *name)
{
	static const char *const pre[] = {
		"SYSC_", "SyS_", "__sys_", "___sys_", "__do_sys_", "__se_sys_",
		"__x64_sys_",
	};
	static const char *const calls[] = { "socketpair", "connect", "ioctl" };
	size_t i, j;

	if (has_prefix(name, "compat_"))
		name += 7;
	for (i = 0; i < ARRAY_SIZE(pre); i++) {
		if (!has_prefix(name, pre[i]))
			continue;
		for (j = 0; j < ARRAY_SIZE(calls); j++)
			if (strcmp(name + strlen(pre[i]), calls[j]) == 0)
				return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Line classes: what a line inside or after a report is. */

enum lclass {
	LC_OTHER,
	LC_BLANK,
	LC_FRAME,
	LC_REGS,        /* RIP:, RSP:, RAX: ..., Code:, arm64 pc/lr/x29 */
	LC_CALL_TRACE,  /* "Call Trace:" */
	LC_MARK_OPEN,   /* <TASK> <IRQ> <NMI> <SOFTIRQ> */
	LC_MARK_CLOSE,  /* </IRQ> </NMI> </SOFTIRQ> <EOI> */
	LC_TASK_END,    /* </TASK> */
	LC_CPU,         /* CPU: N PID: N Comm: */
	LC_TASK,        /* task:..., Task dump for CPU N: */
	LC_NMI,         /* NMI backtrace for cpu N, Sending NMI from CPU */
	LC_INFO,        /* Hardware name:, Modules linked in:, ... */
	LC_END_TRACE,   /* ---[ end trace ... ]--- */
	LC_END_PANIC,   /* ---[ end Kernel panic ... ]--- */
};

/* "RAX: 0000000000000000", "CS:  0010", "CR2: ...", "PKRU: 55555554" */
static int
is_regs(const char *t)
{
	const char *p = skip_blanks(t), *q;
	size_t n = 0;

	if (has_prefix(p, "Code: ") || has_prefix(p, "RIP: ") ||
	    has_prefix(p, "pc : ") || has_prefix(p, "lr : ") ||
	    has_prefix(p, "sp : ") || has_prefix(p, "pstate: "))
		return 1;
	if (p[0] == 'x' && isdigit((unsigned char)p[1]))
		for (q = p + 1; isdigit((unsigned char)*q); q++)
			if (q[1] == ':')
				return 1;
	while (isupper((unsigned char)p[n]) || isdigit((unsigned char)p[n]) ||
	    p[n] == '_')
		n++;
	if (n < 2 || n > 8 || p[n] != ':')
		return 0;
	q = skip_blanks(p + n + 1);
	for (n = 0; isdigit((unsigned char)q[n]) ||
	    (q[n] >= 'a' && q[n] <= 'f'); n++)
		;
	/* "FS:  0000000000000000(0000) GS:..." */
	return n >= 4 && (q[n] == '\0' || q[n] == ' ' || q[n] == ':' ||
	    q[n] == '(');
}

static enum lclass
line_class(const char *t)
{
	static const char *const info[] = {
		"Hardware name:", "Modules linked in:", "Workqueue:",
		"Kernel Offset:", "irq event stamp:", "hardirqs last",
		"softirqs last", "note: ", "Disabling lock debugging",
		"Fixing recursive fault", "Rebooting in ", "Shutting down cpus",
		"#PF: ", "PGD ", "Oops: ", "invalid opcode: ", "Dumping ftrace",
		"(ftrace buffer empty)", "Stack:", "Call trace:", "---[ ",
		"Tainted: ", "Not tainted", "Kernel panic - not syncing",
		"CR2: ", "Unloaded tainted modules:", "Internal error:",
		"Showing all locks held", "Mem abort info:", "Data abort info:",
		"ESR = ", "EC = ", "FSC = ", "SET = ", "CM = ", "WnR = ",
		"user pgtable:", "[0000000000000000] pgd=",
		/* Printed from the NMI path between two CPUs' backtraces. */
		"INFO: NMI handler (",
		NULL,
	};
	const char *p = skip_blanks(t);
	char sym[FRAME_MAX];
	int q, cpu, pid;
	size_t i;

	if (*p == '\0')
		return LC_BLANK;
	if (has_prefix(p, "---[ end trace"))
		return LC_END_TRACE;
	if (has_prefix(p, "---[ end Kernel panic"))
		return LC_END_PANIC;
	if (has_prefix(p, "Call Trace:") || has_prefix(p, "Call trace:"))
		return LC_CALL_TRACE;
	if (strcmp(p, "</TASK>") == 0)
		return LC_TASK_END;
	if (strcmp(p, "<TASK>") == 0 || strcmp(p, "<IRQ>") == 0 ||
	    strcmp(p, "<NMI>") == 0 || strcmp(p, "<SOFTIRQ>") == 0 ||
	    strcmp(p, "<#DF>") == 0)
		return LC_MARK_OPEN;
	if (strcmp(p, "</IRQ>") == 0 || strcmp(p, "</NMI>") == 0 ||
	    strcmp(p, "</SOFTIRQ>") == 0 || strcmp(p, "<EOI>") == 0 ||
	    strcmp(p, "</#DF>") == 0)
		return LC_MARK_CLOSE;
	if (parse_cpu_line(p, &cpu, &pid))
		return LC_CPU;
	if (has_prefix(p, "task:") || has_prefix(p, "Task dump for CPU"))
		return LC_TASK;
	if (has_prefix(p, "NMI backtrace for cpu") ||
	    has_prefix(p, "Sending NMI from CPU"))
		return LC_NMI;
	if (frame_symbol(t, sym, sizeof sym, &q))
		return LC_FRAME;
	if (is_regs(t))
		return LC_REGS;
	for (i = 0; info[i] != NULL; i++)
		if (has_prefix(p, info[i]))
			return LC_INFO;
	return LC_OTHER;
}

/* ------------------------------------------------------------------ */
/* Report headers. */

enum htype {
	H_NONE,
	H_SOFT_LOCKUP,
	H_HARD_LOCKUP,
	H_RCU_STALL,
	H_HUNG_TASK,
	H_WQ_LOCKUP,
	H_NULL_DEREF,
	H_PAGING,
	H_GPF,
	H_OOPS,         /* Oops:, invalid opcode:, divide error:, ... */
	H_KERNEL_BUG,   /* kernel BUG at file:line! */
	H_BUG,          /* any other BUG: */
	H_BAD_PAGE,
	H_BAD_RSS,
	H_WARNING,
	H_OOM,          /* comm invoked oom-killer:, oom-kill: */
	H_OOM_KILL,     /* Out of memory: Killed process N (comm) */
	H_PANIC,
};

struct header {
	enum htype type;
	int weak;       /* continues an open report instead of starting one */
	int cpu;
	int pid;
};

static const char *const htype_kind[] = {
	[H_NONE] = NULL,
	[H_SOFT_LOCKUP] = KMSG_SOFT_LOCKUP,
	[H_HARD_LOCKUP] = KMSG_HARD_LOCKUP,
	[H_RCU_STALL] = KMSG_RCU_STALL,
	[H_HUNG_TASK] = KMSG_HUNG_TASK,
	[H_WQ_LOCKUP] = KMSG_WORKQUEUE_LOCKUP,
	[H_NULL_DEREF] = KMSG_OOPS,
	[H_PAGING] = KMSG_OOPS,
	[H_GPF] = KMSG_OOPS,
	[H_OOPS] = KMSG_OOPS,
	[H_KERNEL_BUG] = KMSG_BUG,
	[H_BUG] = KMSG_BUG,
	[H_BAD_PAGE] = KMSG_BAD_PAGE,
	[H_BAD_RSS] = KMSG_BAD_PAGE,
	[H_WARNING] = KMSG_WARNING,
	[H_OOM] = KMSG_OOM_KILL,
	[H_OOM_KILL] = KMSG_OOM_KILL,
	[H_PANIC] = KMSG_PANIC,
};

/*
 * Text after one leading subsystem prefix of one or two words, as pr_fmt()
 * adds them: "watchdog: ", "NMI watchdog: ", "rcu: ", "Oops: ".
 */
static const char *
after_prefix(const char *t)
{
	const char *p = t;
	int words = 0;

	while (words < 2) {
		if (!(isalnum((unsigned char)*p) || *p == '_'))
			return NULL;
		while (isalnum((unsigned char)*p) || *p == '_' || *p == '-' ||
		    *p == '.')
			p++;
		words++;
		if (p[0] == ':' && p[1] == ' ')
			return p + 2;
		if (*p != ' ')
			return NULL;
		p++;
	}
	return NULL;
}

/* s at the start of t, or right after its subsystem prefix. */
static const char *
header_at(const char *t, const char *after, const char *s)
{
	if (has_prefix(t, s))
		return t;
	if (after != NULL && has_prefix(after, s))
		return after;
	return NULL;
}

static int
number_after(const char *t, const char *key)
{
	const char *p = strstr(t, key);
	int v;

	if (p == NULL)
		return -1;
	p += strlen(key);
	return take_int(&p, &v) == 0 ? v : -1;
}

static int
rcu_stall_header(const char *p)
{
	if (p == NULL || !has_prefix(p, "INFO: rcu_"))
		return 0;
	p += 10;
	while (islower((unsigned char)*p) || *p == '_')
		p++;
	return has_prefix(p, " self-detected stall") ||
	    has_prefix(p, " detected stall") ||
	    has_prefix(p, " detected expedited stall");
}

/* The lockdep and other WARNINGs that carry no "at file:line func". */
static const char *const warning_lockdep[] = {
	"WARNING: possible circular locking dependency detected",
	"WARNING: possible recursive locking detected",
	"WARNING: possible irq lock inversion dependency detected",
	"WARNING: inconsistent lock state",
	"WARNING: suspicious RCU usage",
	"WARNING: bad unlock balance detected!",
	"WARNING: held lock freed!",
	"WARNING: lock held when returning to user space!",
	"WARNING: Nested lock was not taken",
	"WARNING: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected",
	"WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected",
	NULL,
};

static int
warning_header(const char *p)
{
	const char *q;
	size_t i;

	if (p == NULL || !has_prefix(p, "WARNING: "))
		return 0;
	q = p + 9;
	if (has_prefix(q, "CPU: ") || has_prefix(q, "at "))
		return 1;
	/* 6.12+: "WARNING: mm/foo.c:12 at func+0x1/0x2, CPU#0: comm/1" */
	while (*q != '\0' && *q != ' ' && *q != ':')
		q++;
	if (*q == ':' && isdigit((unsigned char)q[1])) {
		for (q++; isdigit((unsigned char)*q); q++)
			;
		if (has_prefix(q, " at "))
			return 1;
	}
	for (i = 0; warning_lockdep[i] != NULL; i++)
		if (has_prefix(p, warning_lockdep[i]))
			return 1;
	return has_prefix(p + 9, "CPU#") || strstr(p, " still has locks held!");
}

static void
match_header(const char *t, struct header *h)
{
	const char *a = after_prefix(t), *p;

	memset(h, 0, sizeof *h);
	h->cpu = h->pid = -1;
	if (*t == ' ' || *t == '\t' || *t == '\0')
		return;
	if ((p = header_at(t, a, "BUG: soft lockup")) != NULL) {
		h->type = H_SOFT_LOCKUP;
		h->cpu = number_after(p, "CPU#");
		if ((p = strrchr(p, ':')) != NULL && isdigit((unsigned char)p[1]))
			h->pid = atoi(p + 1);
	} else if ((p = header_at(t, a,
	    "Watchdog detected hard LOCKUP on cpu ")) != NULL) {
		h->type = H_HARD_LOCKUP;
		h->cpu = number_after(p, "on cpu ");
	} else if (rcu_stall_header(t) || rcu_stall_header(a)) {
		h->type = H_RCU_STALL;
	} else if (has_prefix(t, "INFO: task ") &&
	    (strstr(t, " blocked for more than ") != NULL ||
	    strstr(t, " can't die for more than ") != NULL)) {
		h->type = H_HUNG_TASK;
	} else if (header_at(t, a, "BUG: workqueue lockup") != NULL) {
		h->type = H_WQ_LOCKUP;
	} else if (header_at(t, a, "BUG: kernel NULL pointer dereference") ||
	    header_at(t, a,
	    "BUG: unable to handle kernel NULL pointer dereference") ||
	    header_at(t, a, "Unable to handle kernel NULL pointer dereference")) {
		h->type = H_NULL_DEREF;
	} else if (header_at(t, a, "BUG: unable to handle") ||
	    header_at(t, a, "Unable to handle kernel paging request")) {
		h->type = H_PAGING;
	} else if (header_at(t, a, "general protection fault") != NULL) {
		h->type = H_GPF;
	} else if (has_prefix(t, "Oops: ") || has_prefix(t, "Internal error: ") ||
	    has_prefix(t, "invalid opcode: ") || has_prefix(t, "divide error: ") ||
	    has_prefix(t, "stack segment: ")) {
		h->type = H_OOPS;
		h->weak = 1;
	} else if (has_prefix(t, "kernel BUG at ")) {
		h->type = H_KERNEL_BUG;
	} else if (header_at(t, a, "BUG: Bad page state") ||
	    header_at(t, a, "BUG: Bad page map") ||
	    header_at(t, a, "BUG: Bad page cache")) {
		h->type = H_BAD_PAGE;
	} else if (header_at(t, a, "BUG: Bad rss-counter state") ||
	    header_at(t, a, "BUG: non-zero pgtables_bytes on freeing mm") ||
	    header_at(t, a, "BUG: non-zero nr_ptes on freeing mm") ||
	    header_at(t, a, "BUG: non-zero nr_pmds on freeing mm")) {
		h->type = H_BAD_RSS;
	} else if (header_at(t, a, "BUG: ") != NULL ||
	    (has_prefix(t, "BUG ") && strstr(t, "): ") != NULL)) {
		/* "BUG kmalloc-64 (Not tainted): Poison overwritten" (SLUB) */
		h->type = H_BUG;
	} else if (warning_header(t) || warning_header(a)) {
		h->type = H_WARNING;
		h->cpu = number_after(t, "CPU: ");
		if (h->cpu < 0)
			h->cpu = number_after(t, "CPU#");
		h->pid = number_after(t, "PID: ");
	} else if (strstr(t, " invoked oom-killer: ") != NULL) {
		h->type = H_OOM;
	} else if (has_prefix(t, "oom-kill:")) {
		h->type = H_OOM;
		h->weak = 1;
	} else if (((has_prefix(t, "Out of memory") ||
	    has_prefix(t, "Memory cgroup out of memory")) &&
	    strstr(t, "Kill") != NULL) || has_prefix(t, "Killed process ") ||
	    has_prefix(t, "Out of memory and no killable processes")) {
		h->type = H_OOM_KILL;
	} else if (has_prefix(t, "Kernel panic - not syncing: ")) {
		h->type = H_PANIC;
	}
}

/* ------------------------------------------------------------------ */
/* Titles. */

/* One pass of a replacement over s; see kmsg_title_normalize(). */
static char *
replace_addresses(const char *s)
{
	struct buf b = BUF_INIT;
	const char *p = s, *q;
	size_t n;
	int digit;

	while (*p != '\0') {
		/* ([^a-zA-Z0])(?:0x)?[0-9a-f]{6,} */
		if (p > s && !isalpha((unsigned char)p[-1]) && p[-1] != '0') {
			q = has_prefix(p, "0x") ? p + 2 : p;
			digit = q != p;
			for (n = 0; isdigit((unsigned char)q[n]) ||
			    (q[n] >= 'a' && q[n] <= 'f'); n++)
				if (isdigit((unsigned char)q[n]))
					digit = 1;
			/* Names like "_deadbeef" are words, not addresses. */
			if (n >= 6 && digit && !is_word_char(q[n])) {
				buf_adds(&b, "ADDR");
				p = q + n;
				continue;
			}
		}
		buf_addc(&b, *p++);
	}
	return b.s != NULL ? buf_detach(&b) : xstrdup("");
}

static char *
replace_lines_offsets(const char *s)
{
	struct buf b = BUF_INIT;
	const char *p = s, *q;

	while (*p != '\0') {
		/* (\.\w+)(:[0-9]+)+ -> $1:LINE */
		if (*p == '.' && is_word_char(p[1])) {
			for (q = p + 1; is_word_char(*q); q++)
				;
			if (q[0] == ':' && isdigit((unsigned char)q[1])) {
				buf_add(&b, p, (size_t)(q - p));
				while (q[0] == ':' && isdigit((unsigned char)q[1]))
					for (q++; isdigit((unsigned char)*q); q++)
						;
				buf_adds(&b, ":LINE");
				p = q;
				continue;
			}
		}
		/* func+0x1f/0x2a -> func */
		if (*p == '+' && p > s && is_word_char(p[-1]) &&
		    has_prefix(p, "+0x")) {
			q = p + 3;
			while (isalnum((unsigned char)*q))
				q++;
			if (has_prefix(q, "/0x")) {
				for (q += 3; isalnum((unsigned char)*q); q++)
					;
				p = q;
				continue;
			}
		}
		/* CPU#3 -> CPU */
		if (has_prefix(p, "CPU#") && isdigit((unsigned char)p[4])) {
			buf_adds(&b, "CPU");
			for (p += 4; isdigit((unsigned char)*p); p++)
				;
			continue;
		}
		buf_addc(&b, *p++);
	}
	return b.s != NULL ? buf_detach(&b) : xstrdup("");
}

static char *
replace_numbers(const char *s)
{
	struct buf b = BUF_INIT;
	const char *p = s, *q;

	while (*p != '\0') {
		/* (\W)(\d+)(\W|$) -> $1NUM$3 */
		if (isdigit((unsigned char)*p) && p > s && !is_word_char(p[-1])) {
			for (q = p; isdigit((unsigned char)*q); q++)
				;
			if (!is_word_char(*q)) {
				buf_adds(&b, "NUM");
				p = q;
				continue;
			}
		}
		buf_addc(&b, *p++);
	}
	return b.s != NULL ? buf_detach(&b) : xstrdup("");
}

char *
kmsg_title_normalize(const char *title)
{
	char *a = replace_addresses(title);
	char *b = replace_lines_offsets(a);
	char *c = replace_numbers(b);
	struct buf out = BUF_INIT;
	const char *p;
	char prev = ' ', ch;

	/* syzkaller's sanitizeTitle: printable, single spaces, 120 bytes. */
	for (p = c; *p != '\0' && out.len < 120; p++) {
		ch = *p == '\t' ? ' ' : *p;
		if ((unsigned char)ch < 0x20 || (unsigned char)ch >= 0x7f)
			continue;
		if (ch == ' ' && prev == ' ')
			continue;
		buf_addc(&out, ch);
		prev = ch;
	}
	while (out.len > 0 && out.s[out.len - 1] == ' ')
		out.s[--out.len] = '\0';
	free(a);
	free(b);
	free(c);
	return out.s != NULL ? buf_detach(&out) : xstrdup("");
}

char *
kmsg_signature(const char *kind, const char *title)
{
	char *s = xasprintf("%s\n%s", kind, title);
	char hex[65];

	sha256_hex(s, strlen(s), hex);
	free(s);
	return xstrdup(hex);
}

/* The lines of a report, split in place. */
struct rlines {
	char *copy;
	char **v;
	size_t n;
};

static void
rlines_split(struct rlines *rl, const char *text)
{
	char *p;
	size_t cap = 16;

	rl->copy = xstrdup(text);
	rl->v = xreallocarray(NULL, cap, sizeof *rl->v);
	rl->n = 0;
	for (p = rl->copy; p != NULL; ) {
		if (rl->n == cap) {
			cap *= 2;
			rl->v = xreallocarray(rl->v, cap, sizeof *rl->v);
		}
		rl->v[rl->n++] = p;
		p = strchr(p, '\n');
		if (p != NULL)
			*p++ = '\0';
	}
}

static void
rlines_free(struct rlines *rl)
{
	free(rl->copy);
	free(rl->v);
}

struct frames {
	char v[FRAMES_MAX][FRAME_MAX];
	size_t n;
};

static void
frames_add(struct frames *f, const char *name, const char *const *skip)
{
	if (f->n == FRAMES_MAX || match_any(name, skip_global) ||
	    match_any(name, skip))
		return;
	snprintf(f->v[f->n++], FRAME_MAX, "%s", name);
}

/* A line that ends the stack a frame walk is in. */
static int
stack_ends(enum lclass lc, const char *t)
{
	return lc == LC_TASK_END || lc == LC_END_TRACE || lc == LC_CPU ||
	    lc == LC_NMI || lc == LC_TASK || lc == LC_END_PANIC ||
	    has_prefix(t, "Kernel panic - not syncing");
}

/*
 * Frames of the stack that begins at line i (kernel RIP lines count as
 * frames: they name the function an interrupt or exception stopped).
 */
static void
collect_frames(struct rlines *rl, size_t i, size_t end,
    const char *const *skip, int questionable, struct frames *f)
{
	char sym[FRAME_MAX];
	enum lclass lc;
	int q, seen = 0;

	for (; i < end; i++) {
		lc = line_class(rl->v[i]);
		if (seen && stack_ends(lc, rl->v[i]))
			break;
		if (rip_symbol(rl->v[i], sym, sizeof sym)) {
			frames_add(f, sym, skip);
			seen = 1;
		} else if (lc == LC_FRAME &&
		    frame_symbol(rl->v[i], sym, sizeof sym, &q)) {
			if (!q || questionable)
				frames_add(f, sym, skip);
			seen = 1;
		}
	}
}

/*
 * "? " frames are left out, as syzkaller does: the unwinder found them on
 * the stack but cannot vouch for them.  Only a stack where every frame is
 * "? " -- a running task dumped from another CPU, as in an RCU stall on a
 * preempted reader (rcustall-task) -- is read with them, so that it still
 * gets the title a reliable dump of the same stall gets.
 */
static void
collect_stack(struct rlines *rl, size_t i, size_t end,
    const char *const *skip, struct frames *f)
{
	size_t n = f->n;

	collect_frames(rl, i, end, skip, 0, f);
	if (f->n == n)
		collect_frames(rl, i, end, skip, 1, f);
}

static size_t
find_line(struct rlines *rl, size_t from, size_t end, enum lclass want)
{
	for (; from < end; from++)
		if (line_class(rl->v[from]) == want)
			return from;
	return end;
}

static void
finish_name(char *out, size_t outsz, const char *name)
{
	snprintf(out, outsz, "%s", name);
	map_syscall(out);
}

/* First kernel RIP, then the first Call Trace's frames (oops, BUG). */
static void
crash_frame(struct rlines *rl, size_t from, size_t end,
    const char *const *skip, char *out, size_t outsz)
{
	struct frames *f = xcalloc(1, sizeof *f);
	char sym[FRAME_MAX];
	size_t i;

	out[0] = '\0';
	for (i = from; i < end; i++)
		if (rip_symbol(rl->v[i], sym, sizeof sym)) {
			frames_add(f, sym, skip);
			break;
		}
	i = find_line(rl, from, end, LC_CALL_TRACE);
	if (i < end)
		collect_stack(rl, i + 1, end, skip, f);
	if (f->n > 0)
		finish_name(out, outsz, f->v[0]);
	free(f);
}

/*
 * Lockups and stalls: the interrupted context's stack (from its RIP, after
 * the timer interrupt that reported it when after_apic is set), then the
 * frame above the first anchor (syzkaller's linuxStallFrameExtractor).
 * Without an anchor, the first frame.
 */
static void
stall_frame(struct rlines *rl, size_t from, size_t end, int after_apic,
    const char *const *skip, char *out, size_t outsz)
{
	struct frames *f = xcalloc(1, sizeof *f);
	char sym[FRAME_MAX];
	size_t i, start = from, first, first_end;

	out[0] = '\0';
	/*
	 * Only the first stack: with several stalled CPUs, the first one
	 * listed is the one the others wait for, and a later CPU's timer
	 * interrupt must not move the start past it.
	 */
	first = find_line(rl, from, end, LC_CALL_TRACE);
	for (i = first; i < end; i++)
		if (line_class(rl->v[i]) == LC_TASK_END)
			break;
	first_end = i < end ? i + 1 : end;
	if (after_apic)
		for (i = from; i < first_end; i++)
			if (strstr(rl->v[i], "apic_timer_interrupt") != NULL) {
				start = i + 1;
				break;
			}
	for (i = start; i < first_end; i++)
		if (rip_symbol(rl->v[i], sym, sizeof sym))
			break;
	if (i == first_end)
		i = find_line(rl, start, end, LC_CALL_TRACE);
	collect_stack(rl, i, end, skip, f);
	for (i = 0; i < f->n; i++) {
		if (!match_any(f->v[i], stall_anchors) &&
		    !syscall_anchor(f->v[i]))
			continue;
		if (strstr(f->v[i], "smp_call_function") != NULL)
			finish_name(out, outsz, "smp_call_function");
		else
			finish_name(out, outsz, f->v[i > 0 ? i - 1 : 0]);
		break;
	}
	if (out[0] == '\0' && f->n > 0)
		finish_name(out, outsz, f->v[0]);
	free(f);
}

/* syzkaller's linuxHangTaskFrameExtractor. */
static void
hang_frame(struct rlines *rl, size_t from, size_t end, char *out,
    size_t outsz)
{
	struct frames *f = xcalloc(1, sizeof *f);
	size_t i;

	out[0] = '\0';
	i = find_line(rl, from, end, LC_CALL_TRACE);
	if (i < end)
		collect_stack(rl, i + 1, end, NULL, f);
	for (i = 0; i < f->n && out[0] == '\0'; i++) {
		if (strstr(f->v[i], "rtnl_lock") != NULL)
			finish_name(out, outsz, f->v[i]);
		else if (strstr(f->v[i], "synchronize_rcu") != NULL ||
		    strstr(f->v[i], "synchronize_srcu") != NULL ||
		    strstr(f->v[i], "synchronize_net") != NULL ||
		    strstr(f->v[i], "synchronize_sched") != NULL)
			finish_name(out, outsz, "synchronize_rcu");
	}
	for (i = 0; i < f->n && out[0] == '\0'; i++)
		if (!match_any(f->v[i], skip_hang))
			finish_name(out, outsz, f->v[i]);
	free(f);
}

/* "WARNING: CPU: 1 PID: 2 at mm/x.c:3 func+0x..": func. */
static int
warning_function(const char *t, char *out, size_t outsz)
{
	const char *p = strstr(t, " at "), *tok;
	size_t n;
	int i;

	if (p == NULL)
		return 0;
	p += 4;
	for (i = 0; i < 2 && *p != '\0'; i++) {
		tok = p;
		if (symbol_with_offset(tok, out, outsz))
			return 1;
		/* 2.6: "WARNING: at file:line func()" */
		n = copy_symbol(tok, out, outsz);
		if (n > 0 && tok[n] == '(')
			return 1;
		while (*p != '\0' && *p != ' ')
			p++;
		p = skip_blanks(p);
	}
	return 0;
}

/* "BUG: scheduling while atomic: x/1/0x2" -> "scheduling while atomic" */
static void
bug_message(const char *msg, char *out, size_t outsz)
{
	static const char *const cuts[] = {
		", ", " at ", ": ", " in process", " [", " on CPU", " (",
	};
	size_t i, n = strlen(msg);
	const char *c;

	for (i = 0; i < ARRAY_SIZE(cuts); i++)
		if ((c = strstr(msg, cuts[i])) != NULL && (size_t)(c - msg) < n)
			n = (size_t)(c - msg);
	snprintf(out, outsz, "%.*s", (int)n, msg);
}

struct report;
static char *report_title(struct report *, struct rlines *);

/* ------------------------------------------------------------------ */
/* The classifier. */

enum rstate { R_OPEN, R_TAIL };

struct report {
	struct report *next;
	enum htype type;
	enum rstate state;
	char ctx[16];
	int cpu;                /* best known CPU of the report */
	int hdr_cpu, hdr_pid;   /* named by the header, or -1 */
	int have_cpu_line;
	int any_cpu_ctx;        /* takes other CPUs' lines: NMI backtraces */
	int in_stack, frames, marked;
	int panicked, truncated, done, killed;
	int hardlockup_panic;   /* a headless "Kernel panic ... Hard LOCKUP" */
	uint64_t ts, last_ts;
	int64_t seq;
	unsigned long line, last_fed;
	size_t nlines, hdr_idx, panic_idx;
	struct buf text;
};

struct prev_line {
	char ctx[16];
	char *text;
};

struct queued {
	struct kmsg_event *ev;
	struct queued *next;
};

struct kmsg_classifier {
	int flags;
	struct report *reports;         /* newest first */
	struct report *current;         /* of lines without caller ids */
	struct queued *head, **tail;    /* finished events */
	struct prev_line prev[4];       /* last lines outside reports */
	unsigned long fed;
	int blank_run;
	int seen_prefixed;              /* a line with a recognised prefix */
	int prev_kmsg;                  /* last line was a kmsg record */
	struct buf cont;                /* kmsg 'c' fragment being joined */
	struct kmsg_line cont_line;
	unsigned long cont_lineno;
	int have_cont;
	struct kmsg_stats stats;
};

struct kmsg_classifier *
kmsg_classifier_new(int flags)
{
	struct kmsg_classifier *c = xcalloc(1, sizeof *c);

	c->flags = flags;
	c->tail = &c->head;
	return c;
}

static void
report_free(struct report *r)
{
	if (r == NULL)
		return;
	buf_release(&r->text);
	free(r);
}

void
kmsg_event_free(struct kmsg_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->title);
	free(ev->signature);
	free(ev->text);
	free(ev);
}

void
kmsg_classifier_free(struct kmsg_classifier *c)
{
	struct report *r, *rn;
	struct kmsg_event *ev;
	size_t i;

	if (c == NULL)
		return;
	for (r = c->reports; r != NULL; r = rn) {
		rn = r->next;
		report_free(r);
	}
	while ((ev = kmsg_classifier_next(c)) != NULL)
		kmsg_event_free(ev);
	for (i = 0; i < ARRAY_SIZE(c->prev); i++)
		free(c->prev[i].text);
	buf_release(&c->cont);
	kmsg_line_clear(&c->cont_line);
	free(c);
}


struct kmsg_event *
kmsg_classifier_next(struct kmsg_classifier *c)
{
	struct queued *q = c->head;
	struct kmsg_event *ev;

	if (q == NULL)
		return NULL;
	c->head = q->next;
	if (c->head == NULL)
		c->tail = &c->head;
	ev = q->ev;
	free(q);
	return ev;
}

void
kmsg_classifier_stats(const struct kmsg_classifier *c, struct kmsg_stats *st)
{
	*st = c->stats;
}

static char *
with_frame(const char *base, const char *frame)
{
	if (frame[0] == '\0')
		return xstrdup(base);
	return xasprintf("%s in %s", base, frame);
}

/* "Killed process 123 (comm) total-vm:..." -> "comm" */
static void
oom_victim(const char *t, char *out, size_t outsz)
{
	const char *p = strchr(t, '('), *q;

	out[0] = '\0';
	if (p == NULL || (q = strchr(p, ')')) == NULL)
		return;
	snprintf(out, outsz, "%.*s", (int)(q - p - 1), p + 1);
}

static char *
oom_title(struct rlines *rl)
{
	char comm[64];
	const char *prefix;
	size_t i;

	for (i = 0; i < rl->n; i++) {
		if (strstr(rl->v[i], "Killed process ") == NULL &&
		    strstr(rl->v[i], "Kill process ") == NULL)
			continue;
		oom_victim(rl->v[i], comm, sizeof comm);
		prefix = has_prefix(rl->v[i], "Memory cgroup out of memory") ?
		    "memory cgroup out of memory" : "out of memory";
		if (strstr(rl->v[i], "Killed process ") != NULL ||
		    i + 1 == rl->n)
			return xasprintf("%s: killed %s", prefix, comm);
	}
	for (i = 0; i < rl->n; i++)
		if (has_prefix(rl->v[i], "Out of memory and no killable"))
			return xstrdup("out of memory: no killable processes");
	return xstrdup("out of memory");
}

static char *
bug_title(const char *hdr, struct rlines *rl, size_t from, size_t end)
{
	const char *const *skip = NULL;
	char msg[256], f[FRAME_MAX], rw[8];
	const char *p = strstr(hdr, "BUG: "), *q;
	size_t i;

	if (p == NULL) {
		/* SLUB: "BUG kmalloc-64 (Not tainted): Poison overwritten" */
		p = strstr(hdr, "): ");
		snprintf(msg, sizeof msg, "%s", p != NULL ? p + 3 : hdr);
		return xasprintf("BUG: %s", msg);
	}
	p += 5;
	if (has_prefix(p, "KASAN: ") || has_prefix(p, "KFENCE: ")) {
		/* "BUG: KASAN: use-after-free in func+0x1/0x2" */
		q = strstr(p, " in ");
		f[0] = '\0';
		if (q != NULL && symbol_with_offset(q + 4, f, sizeof f))
			map_syscall(f);
		snprintf(msg, sizeof msg, "%.*s", (int)(q != NULL ? q - p :
		    (long)strlen(p)), p);
		rw[0] = '\0';
		for (i = from; i < end && has_prefix(p, "KASAN"); i++) {
			if (has_prefix(rl->v[i], "Read of size")) {
				snprintf(rw, sizeof rw, " Read");
				break;
			}
			if (has_prefix(rl->v[i], "Write of size")) {
				snprintf(rw, sizeof rw, " Write");
				break;
			}
		}
		return xasprintf("%s%s%s%s", msg, rw, f[0] ? " in " : "", f);
	}
	bug_message(p, msg, sizeof msg);
	if (has_prefix(msg, "sleeping function"))
		skip = skip_sleep;
	else if (has_prefix(msg, "scheduling while atomic"))
		skip = skip_sched;
	else if (has_prefix(msg, "spinlock"))
		skip = skip_spin;
	crash_frame(rl, from, end, skip, f, sizeof f);
	q = xasprintf("BUG: %s", msg);
	p = with_frame(q, f);
	free((char *)q);
	return (char *)p;
}

static char *
warning_title(const char *hdr, struct rlines *rl, size_t from, size_t end)
{
	static const char *const deadlock[] = {
		"WARNING: possible circular", "WARNING: possible recursive",
		"WARNING: possible irq lock inversion", "WARNING: SOFTIRQ-safe",
		"WARNING: HARDIRQ-safe", NULL,
	};
	char f[FRAME_MAX], msg[160];
	const char *p = strstr(hdr, "WARNING: ");
	size_t i, j;

	if (p == NULL)
		p = hdr;
	for (i = 0; warning_lockdep[i] != NULL; i++) {
		if (!has_prefix(p, warning_lockdep[i]))
			continue;
		crash_frame(rl, from, end, NULL, f, sizeof f);
		for (j = 0; deadlock[j] != NULL; j++)
			if (has_prefix(p, deadlock[j]))
				return with_frame("possible deadlock", f);
		if (has_prefix(p, "WARNING: inconsistent lock state"))
			return with_frame("inconsistent lock state", f);
		snprintf(msg, sizeof msg, "%s", warning_lockdep[i]);
		if (msg[strlen(msg) - 1] == '!')
			msg[strlen(msg) - 1] = '\0';
		return with_frame(msg, f);
	}
	if (warning_function(p, f, sizeof f)) {
		map_syscall(f);
		return with_frame("WARNING", f);
	}
	crash_frame(rl, from, end, NULL, f, sizeof f);
	return with_frame("WARNING", f);
}

static char *
report_title(struct report *r, struct rlines *rl)
{
	const char *hdr = r->hdr_idx < rl->n ? rl->v[r->hdr_idx] : "";
	size_t from = r->hdr_idx, end = rl->n;
	const char *label, *p;
	char f[FRAME_MAX];
	char *title, *norm;

	if (r->panicked && r->panic_idx < rl->n)
		end = r->panic_idx;
	f[0] = '\0';
	switch (r->type) {
	case H_SOFT_LOCKUP:
		stall_frame(rl, from, end, 0, NULL, f, sizeof f);
		title = with_frame("BUG: soft lockup", f);
		break;
	case H_HARD_LOCKUP:
		stall_frame(rl, from, end, 0, NULL, f, sizeof f);
		title = with_frame("BUG: hard lockup", f);
		break;
	case H_RCU_STALL:
		stall_frame(rl, from, end, 1, skip_rcu, f, sizeof f);
		title = with_frame("INFO: rcu detected stall", f);
		break;
	case H_HUNG_TASK:
		hang_frame(rl, from, end, f, sizeof f);
		title = with_frame("INFO: task hung", f);
		break;
	case H_WQ_LOCKUP:
		title = xstrdup("BUG: workqueue lockup");
		break;
	case H_NULL_DEREF:
		crash_frame(rl, from, end, NULL, f, sizeof f);
		title = with_frame(
		    "BUG: unable to handle kernel NULL pointer dereference", f);
		break;
	case H_PAGING:
		crash_frame(rl, from, end, NULL, f, sizeof f);
		title = with_frame(
		    "BUG: unable to handle kernel paging request", f);
		break;
	case H_GPF:
		crash_frame(rl, from, end, NULL, f, sizeof f);
		title = with_frame("general protection fault", f);
		break;
	case H_OOPS:
		if (has_prefix(hdr, "invalid opcode"))
			label = "invalid opcode";
		else if (has_prefix(hdr, "divide error"))
			label = "divide error";
		else if (has_prefix(hdr, "stack segment"))
			label = "stack segment fault";
		else
			label = "Oops";
		crash_frame(rl, from, end, NULL, f, sizeof f);
		title = with_frame(label, f);
		break;
	case H_KERNEL_BUG:
		if (strstr(hdr, "lib/list_debug.c") != NULL) {
			crash_frame(rl, from, end, skip_list, f, sizeof f);
			title = with_frame("BUG: corrupted list", f);
		} else {
			crash_frame(rl, from, end, NULL, f, sizeof f);
			title = with_frame("kernel BUG", f);
		}
		break;
	case H_BUG:
		title = bug_title(hdr, rl, from, end);
		break;
	case H_BAD_PAGE:
		crash_frame(rl, from, end, skip_bad_page, f, sizeof f);
		p = strstr(hdr, "BUG: Bad page ");
		label = p != NULL && has_prefix(p + 14, "map") ?
		    "BUG: Bad page map" : p != NULL &&
		    has_prefix(p + 14, "cache") ? "BUG: Bad page cache" :
		    "BUG: Bad page state";
		title = with_frame(label, f);
		break;
	case H_BAD_RSS:
		if (strstr(hdr, "Bad rss-counter") != NULL)
			title = xstrdup("BUG: Bad rss-counter state");
		else {
			char msg[128];

			p = strstr(hdr, "BUG: ");
			bug_message(p != NULL ? p + 5 : hdr, msg, sizeof msg);
			title = xasprintf("BUG: %s", msg);
		}
		break;
	case H_WARNING:
		title = warning_title(hdr, rl, from, end);
		break;
	case H_OOM:
	case H_OOM_KILL:
		title = oom_title(rl);
		break;
	case H_PANIC:
	default:
		p = strstr(hdr, "not syncing: ");
		title = xasprintf("kernel panic: %s",
		    p != NULL ? p + 13 : hdr);
		break;
	}
	norm = kmsg_title_normalize(title);
	free(title);
	return norm;
}

static void
report_unlink(struct kmsg_classifier *c, struct report *r)
{
	struct report **pp;

	for (pp = &c->reports; *pp != NULL; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	if (c->current == r)
		c->current = NULL;
}

static void
report_finish(struct kmsg_classifier *c, struct report *r)
{
	struct kmsg_event *ev;
	struct queued *q;
	struct rlines rl;

	report_unlink(c, r);
	if (r->text.len == 0) {
		report_free(r);
		return;
	}
	rlines_split(&rl, r->text.s);
	ev = xcalloc(1, sizeof *ev);
	ev->kind = htype_kind[r->type];
	ev->title = report_title(r, &rl);
	ev->signature = kmsg_signature(ev->kind, ev->title);
	ev->text = buf_detach(&r->text);
	ev->ts_usec = r->ts;
	ev->cpu = r->cpu >= 0 ? r->cpu : r->ctx[0] == 'C' ?
	    atoi(r->ctx + 1) : -1;
	ev->seq = r->seq;
	ev->line = r->line;
	ev->panicked = r->panicked;
	ev->truncated = r->truncated;
	rlines_free(&rl);
	report_free(r);
	q = xcalloc(1, sizeof *q);
	q->ev = ev;
	*c->tail = q;
	c->tail = &q->next;
	c->stats.events++;
}

/* "rcu: \t1-....: (21000 ticks this GP)" names the stalled CPU. */
static int
rcu_stall_cpu(const char *t)
{
	const char *p;
	int cpu;

	if (!has_prefix(t, "rcu: "))
		return -1;
	p = t + 5;
	for (;;) {
		if (*p == ' ' || *p == '\t')
			p++;
		else if (has_prefix(p, "\\x09"))
			p += 4;
		else
			break;
	}
	if (take_int(&p, &cpu) != 0 || *p != '-')
		return -1;
	return cpu;
}

static void
report_add(struct kmsg_classifier *c, struct report *r,
    const struct kmsg_line *l, enum lclass lc)
{
	const char *t = l->text;
	size_t n = strlen(t);
	int cpu, pid;

	if (r->nlines == 0 && n >= KMSG_TEXT_MAX) {
		/* Even a monster header line leaves the report its start. */
		buf_add(&r->text, t, KMSG_TEXT_MAX - 1);
		r->nlines++;
		r->truncated = 1;
	} else if (r->truncated || r->text.len + n + 1 > KMSG_TEXT_MAX)
		r->truncated = 1;
	else {
		if (r->nlines > 0)
			buf_addc(&r->text, '\n');
		buf_add(&r->text, t, n);
		r->nlines++;
	}
	if (l->ts_usec != KMSG_NO_TS) {
		if (r->ts == KMSG_NO_TS)
			r->ts = l->ts_usec;
		if (r->last_ts == KMSG_NO_TS || l->ts_usec > r->last_ts)
			r->last_ts = l->ts_usec;
	}
	if (r->seq < 0)
		r->seq = l->seq;
	r->last_fed = c->fed;
	switch (lc) {
	case LC_CPU:
		if (parse_cpu_line(skip_blanks(t), &cpu, &pid)) {
			r->have_cpu_line = 1;
			if (r->cpu < 0)
				r->cpu = cpu;
		}
		break;
	case LC_CALL_TRACE:
		r->in_stack = 1;
		break;
	case LC_MARK_OPEN:
		r->in_stack = r->marked = 1;
		break;
	case LC_FRAME:
		r->frames = 1;
		break;
	case LC_TASK_END:
		r->marked = 1;
		r->in_stack = 0;
		/* An OOM report goes on after its stack until the kill. */
		if (r->type != H_OOM)
			r->state = R_TAIL;
		break;
	case LC_END_TRACE:
		r->state = R_TAIL;
		break;
	case LC_END_PANIC:
		r->done = 1;
		break;
	case LC_NMI:
		if (has_prefix(skip_blanks(t), "Sending NMI"))
			r->any_cpu_ctx = 1;
		break;
	default:
		break;
	}
	if (r->type == H_RCU_STALL && r->cpu < 0)
		r->cpu = rcu_stall_cpu(t);
}

/* Take a line into r, with what it means for r's state. */
static void
report_take(struct kmsg_classifier *c, struct report *r,
    const struct kmsg_line *l, enum lclass lc, const struct header *h)
{
	if (h->type == H_PANIC) {
		if (!r->panicked) {
			r->panicked = 1;
			r->panic_idx = r->nlines;
		}
		r->state = R_OPEN;
	} else if (r->state == R_TAIL && (lc == LC_CPU ||
	    lc == LC_CALL_TRACE || lc == LC_MARK_OPEN || lc == LC_NMI ||
	    lc == LC_TASK))
		r->state = R_OPEN;
	if ((r->type == H_OOM || r->type == H_OOM_KILL) &&
	    h->type == H_OOM_KILL && strstr(l->text, "Killed process") != NULL)
		r->done = 1;
	report_add(c, r, l, lc);
	if (r->done)
		report_finish(c, r);
}

static struct report *
report_start(struct kmsg_classifier *c, const struct header *h,
    const struct kmsg_line *l, unsigned long lineno)
{
	struct report *r = xcalloc(1, sizeof *r);
	struct kmsg_line pl;
	const char *reason;
	size_t i;

	r->type = h->type;
	r->state = R_OPEN;
	snprintf(r->ctx, sizeof r->ctx, "%s", l->caller);
	r->hdr_cpu = h->cpu;
	r->hdr_pid = h->pid;
	r->cpu = h->cpu;
	r->ts = r->last_ts = KMSG_NO_TS;
	r->seq = -1;
	r->line = lineno;
	r->panic_idx = SIZE_MAX;
	r->any_cpu_ctx = h->type == H_RCU_STALL;
	/*
	 * "[ cut here ]" and what follows it (WARN()'s message), and
	 * "list_del corruption" before a BUG, lead into the report.
	 */
	for (i = 0; i < ARRAY_SIZE(c->prev); i++)
		if (c->prev[i].text != NULL &&
		    strcmp(c->prev[i].ctx, r->ctx) == 0 &&
		    (strstr(c->prev[i].text, "[ cut here ]") != NULL ||
		    strstr(c->prev[i].text, " corruption") != NULL))
			break;
	for (; i < ARRAY_SIZE(c->prev); i++) {
		if (c->prev[i].text == NULL ||
		    strcmp(c->prev[i].ctx, r->ctx) != 0)
			continue;
		memset(&pl, 0, sizeof pl);
		pl.text = c->prev[i].text;
		pl.ts_usec = KMSG_NO_TS;
		pl.seq = -1;
		report_add(c, r, &pl, LC_OTHER);
	}
	for (i = 0; i < ARRAY_SIZE(c->prev); i++) {
		free(c->prev[i].text);
		c->prev[i].text = NULL;
	}
	r->hdr_idx = r->nlines;
	if (h->type == H_PANIC) {
		/*
		 * The panics of hardlockup_panic and softlockup_panic whose
		 * report was lost: the panic's own stack shows the
		 * interrupted context, so they still get a lockup title.
		 */
		reason = strstr(l->text, "not syncing: ") + 13;
		if (has_prefix(reason, "Hard LOCKUP"))
			r->type = H_HARD_LOCKUP;
		else if (has_prefix(reason, "softlockup: hung tasks"))
			r->type = H_SOFT_LOCKUP;
		r->panicked = r->type != H_PANIC;
	}
	r->next = c->reports;
	c->reports = r;
	if (r->ctx[0] == '\0')
		c->current = r;
	report_add(c, r, l, LC_OTHER);
	/* Reports without a stack wait in TAIL for lines of their own. */
	if (r->type == H_WQ_LOCKUP || r->type == H_BAD_RSS)
		r->state = R_TAIL;
	if (r->type == H_OOM_KILL && strstr(l->text, "Killed process") != NULL)
		report_finish(c, r);
	return r;
}

static struct report *
find_report(struct kmsg_classifier *c, const char *ctx)
{
	struct report *r;

	if (ctx[0] == '\0')
		return c->current;
	for (r = c->reports; r != NULL; r = r->next)
		if (strcmp(r->ctx, ctx) == 0)
			return r;
	/* NMI backtraces of other CPUs (RCU stalls, all-CPU backtraces). */
	if (ctx[0] == 'C')
		for (r = c->reports; r != NULL; r = r->next)
			if (r->any_cpu_ctx && r->ctx[0] != '\0')
				return r;
	return NULL;
}

/* Without caller ids: keep r open for its "CPU: N" line to come? */
static int
pending_ok(const struct report *r, const struct header *h)
{
	return r->ctx[0] == '\0' && r->state == R_OPEN && !r->have_cpu_line &&
	    !r->in_stack && !r->frames && r->hdr_cpu >= 0 && h->cpu >= 0 &&
	    h->cpu != r->hdr_cpu;
}

/* Did r's header name this CPU or PID? */
static int
header_names(const struct report *r, int cpu, int pid)
{
	return (r->hdr_cpu >= 0 && r->hdr_cpu == cpu) ||
	    (r->hdr_pid >= 0 && r->hdr_pid == pid);
}

static struct report *
find_pending(struct kmsg_classifier *c, int cpu, int pid,
    const struct report *exclude)
{
	struct report *r;

	for (r = c->reports; r != NULL; r = r->next)
		if (r != exclude && r->ctx[0] == '\0' && r->state == R_OPEN &&
		    !r->have_cpu_line && header_names(r, cpu, pid))
			return r;
	return NULL;
}

/* Does an OPEN report take this header line instead of ending? */
static int
open_absorbs(const struct report *r, const struct header *h)
{
	if (h->type == H_PANIC || h->weak)
		return 1;
	return h->type == H_OOM_KILL && r->type == H_OOM;
}

static int
wq_line(const char *t)
{
	const char *p = skip_blanks(t);

	return has_prefix(t, "Showing ") || has_prefix(t, "workqueue ") ||
	    has_prefix(t, "pool ") || (p != t && (has_prefix(p, "pwq ") ||
	    has_prefix(p, "in-flight:") || has_prefix(p, "pending:") ||
	    has_prefix(p, "inactive:") || has_prefix(p, "delayed:")));
}

/* Does a report in TAIL take this line? */
static int
tail_takes(const struct report *r, const struct header *h, enum lclass lc,
    const char *t)
{
	const char *p = skip_blanks(t);

	if (h->type == H_PANIC)
		return 1;
	if (r->type == H_BAD_RSS)
		return h->type == H_BAD_RSS;
	if (h->type != H_NONE)
		return r->type == H_WQ_LOCKUP && h->type == H_WQ_LOCKUP;
	if (r->type == H_OOM || r->type == H_OOM_KILL)
		return has_prefix(p, "oom_reaper:");
	if (r->type == H_WQ_LOCKUP && wq_line(t))
		return 1;
	if (r->type == H_RCU_STALL && (has_prefix(t, "rcu: ") ||
	    t[0] == '\t' || has_prefix(t, "\\x09") ||
	    has_prefix(p, "(detected by") || has_prefix(p, "(t=")))
		return 1;
	return lc != LC_OTHER && lc != LC_BLANK;
}

static void
remember_line(struct kmsg_classifier *c, const struct kmsg_line *l)
{
	size_t n = ARRAY_SIZE(c->prev);

	free(c->prev[0].text);
	memmove(&c->prev[0], &c->prev[1], (n - 1) * sizeof c->prev[0]);
	snprintf(c->prev[n - 1].ctx, sizeof c->prev[n - 1].ctx, "%s",
	    l->caller);
	c->prev[n - 1].text = xstrdup(l->text);
}

static void
finish_all(struct kmsg_classifier *c)
{
	struct report *r;

	/* Oldest first, so events come out in the order they began. */
	while (c->reports != NULL) {
		for (r = c->reports; r->next != NULL; r = r->next)
			;
		report_finish(c, r);
	}
}

static void
expire_reports(struct kmsg_classifier *c, uint64_t ts)
{
	struct report *r, *next;

	for (r = c->reports; r != NULL; r = next) {
		next = r->next;
		/*
		 * Only forward gaps: lines printed from NMI or with irqs off
		 * carry an older local_clock() (a stalled CPU's backtrace
		 * comes out seconds "before" the stall report that asked for
		 * it).  Reboots are told by "Linux version".
		 */
		if (ts != KMSG_NO_TS && r->last_ts != KMSG_NO_TS &&
		    ts > r->last_ts + REPORT_GAP_USEC)
			report_finish(c, r);
		else if (r != c->current &&
		    c->fed - r->last_fed > REPORT_STALE_LINES)
			report_finish(c, r);
	}
}

/* One kernel line, prefix already stripped. */
static void
classify(struct kmsg_classifier *c, const struct kmsg_line *l,
    unsigned long lineno)
{
	const char *t = l->text;
	struct report *r, *p;
	struct header h;
	enum lclass lc;
	int cpu, pid;

	c->fed++;
	c->stats.lines++;
	expire_reports(c, l->ts_usec);
	/* A new boot in a console log: nothing carries over. */
	if (has_prefix(t, "Linux version "))
		finish_all(c);
	match_header(t, &h);
	lc = line_class(t);
	r = find_report(c, l->caller);
	if (lc == LC_BLANK) {
		/* An empty stretch ends a report (serial consoles). */
		if (++c->blank_run >= 2 && r != NULL &&
		    strcmp(r->ctx, l->caller) == 0) {
			report_finish(c, r);
			return;
		}
	} else
		c->blank_run = 0;

	/* Without caller ids a CPU line may belong to a pending report. */
	if (l->caller[0] == '\0' && lc == LC_CPU &&
	    parse_cpu_line(t, &cpu, &pid) &&
	    (p = find_pending(c, cpu, pid, r)) != NULL &&
	    (r == NULL || r->have_cpu_line || r->state == R_TAIL ||
	    !header_names(r, cpu, pid))) {
		if (r != NULL && r->state == R_TAIL)
			report_finish(c, r);
		c->current = p;
		report_take(c, p, l, lc, &h);
		return;
	}
	/* A stack printed without <TASK> markers ends at its first non-frame. */
	if (r != NULL && r->state == R_OPEN && h.type == H_NONE && r->frames &&
	    !r->marked && r->type != H_OOM && lc == LC_OTHER)
		r->state = R_TAIL;

	if (r != NULL && r->state == R_OPEN) {
		if (h.type == H_NONE || open_absorbs(r, &h)) {
			report_take(c, r, l, lc, &h);
			return;
		}
		if (strcmp(r->ctx, l->caller) == 0 && !pending_ok(r, &h))
			report_finish(c, r);
		report_start(c, &h, l, lineno);
		return;
	}
	if (r != NULL) {
		if (tail_takes(r, &h, lc, t)) {
			report_take(c, r, l, lc, &h);
			return;
		}
		if (strcmp(r->ctx, l->caller) == 0)
			report_finish(c, r);
	}
	if (h.type == H_PANIC && l->caller[0] != '\0' && c->reports != NULL) {
		/* A panic right after another context's report is its end. */
		report_take(c, c->reports, l, lc, &h);
		return;
	}
	if (h.type != H_NONE) {
		report_start(c, &h, l, lineno);
		return;
	}
	remember_line(c, l);
}

/* Split multi-line messages; classify each line with the same prefix. */
static void
classify_text(struct kmsg_classifier *c, const struct kmsg_line *l,
    unsigned long lineno)
{
	struct kmsg_line one = *l;
	char *copy, *p, *nl;

	if (strchr(l->text, '\n') == NULL) {
		classify(c, l, lineno);
		return;
	}
	copy = xstrdup(l->text);
	for (p = copy; p != NULL; p = nl) {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		one.text = p;
		classify(c, &one, lineno);
	}
	free(copy);
}

static void
flush_fragment(struct kmsg_classifier *c)
{
	if (!c->have_cont)
		return;
	c->have_cont = 0;
	c->cont_line.text = c->cont.s != NULL ? c->cont.s : "";
	classify_text(c, &c->cont_line, c->cont_lineno);
	c->cont_line.text = NULL;
	buf_reset(&c->cont);
}

static void
feed_parsed(struct kmsg_classifier *c, const struct kmsg_line *l,
    unsigned long lineno)
{
	if (l->facility > 0 && !(c->flags & KMSG_ALLOW_USER)) {
		c->stats.ignored++;
		return;
	}
	if (l->format == KMSG_FORMAT_KMSG) {
		/*
		 * Older kernels (3.x) store a line printed in pieces as a
		 * 'c' record followed by '+' records: join them.  A 6.x 'c'
		 * record (a pr_cont() that could not be appended) has no '+'
		 * after it and is classified as the line it is.
		 */
		if (l->flag == '+' && c->have_cont) {
			buf_adds(&c->cont, l->text);
			return;
		}
		flush_fragment(c);
		if (l->flag == 'c') {
			c->cont_line = *l;
			c->cont_line.text = NULL;
			c->cont_lineno = lineno;
			buf_reset(&c->cont);
			buf_adds(&c->cont, l->text);
			c->have_cont = 1;
			return;
		}
	}
	classify_text(c, l, lineno);
}

void
kmsg_classifier_feed_record(struct kmsg_classifier *c,
    const struct kmsg_record *rec, unsigned long lineno)
{
	struct kmsg_line l;

	memset(&l, 0, sizeof l);
	l.format = KMSG_FORMAT_KMSG;
	l.ts_usec = rec->ts_usec;
	l.facility = rec->facility;
	l.level = rec->level;
	l.seq = (int64_t)rec->seq;
	l.flag = rec->flag;
	snprintf(l.caller, sizeof l.caller, "%s", rec->caller);
	l.cpu = l.pid = -1;
	l.text = rec->text != NULL ? rec->text : "";
	feed_parsed(c, &l, lineno);
}

/* " SUBSYSTEM=acpi": a dictionary line of the record before it. */
static int
is_dict_line(const char *s, size_t len)
{
	size_t i;

	if (len < 3 || s[0] != ' ' || !isupper((unsigned char)s[1]))
		return 0;
	for (i = 1; i < len && (isupper((unsigned char)s[i]) ||
	    isdigit((unsigned char)s[i]) || s[i] == '_'); i++)
		;
	return i < len && s[i] == '=';
}

void
kmsg_classifier_feed_line(struct kmsg_classifier *c, const char *line,
    size_t len, unsigned long lineno)
{
	struct kmsg_line l;

	if (c->prev_kmsg && is_dict_line(line, len))
		return;
	kmsg_line_parse(line, len, &l);
	c->prev_kmsg = l.format == KMSG_FORMAT_KMSG;
	if (l.boot) {
		flush_fragment(c);
		finish_all(c);
	} else if (l.format == KMSG_FORMAT_JOURNAL && l.text[0] == '\0' &&
	    l.facility < 0) {
		/* journalctl's "-- Logs begin at ... --" */
	} else if (l.format == KMSG_FORMAT_PLAIN && c->seen_prefixed) {
		/*
		 * Once lines carry timestamps or other prefixes, the lines
		 * without one are not the kernel's: user space writing to the
		 * same serial console, boot loaders, shell prompts.
		 */
		c->stats.ignored++;
	} else {
		if (l.format != KMSG_FORMAT_PLAIN)
			c->seen_prefixed = 1;
		feed_parsed(c, &l, lineno);
	}
	kmsg_line_clear(&l);
}

void
kmsg_classifier_expire(struct kmsg_classifier *c, uint64_t now_usec)
{
	struct report *r, *next;

	for (r = c->reports; r != NULL; r = next) {
		next = r->next;
		if (r->last_ts != KMSG_NO_TS &&
		    now_usec > r->last_ts + REPORT_GAP_USEC)
			report_finish(c, r);
	}
}

void
kmsg_classifier_flush(struct kmsg_classifier *c)
{
	flush_fragment(c);
	finish_all(c);
}
