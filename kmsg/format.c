/*
 * format.c - kernel log formats (kmsg.h, parts 1 and 2): one /dev/kmsg
 * record (kmsg_record_parse), and one line of a saved log with its
 * format told apart (kmsg_line_parse).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "kmsg/internal.h"
#include "kmsg/kmsg.h"

/* ------------------------------------------------------------------ */
/* /dev/kmsg records. */

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
	/* Pasted logs cut timestamps short: "[  240.]" keeps its seconds. */
	if (*p != ']')
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
int
kmsg_parse_cpu_line(const char *t, int *cpu, int *pid)
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

/* A raw /dev/kmsg record line: its header and unescaped text. */
static int
record_line(const char *s, struct kmsg_line *l)
{
	struct buf text = BUF_INIT;
	uint64_t seq, ts;
	long off;
	int prio;
	char flag;

	if (!isdigit((unsigned char)s[0]) ||
	    (off = parse_kmsg_header(s, strlen(s), &prio, &seq, &ts, &flag,
	    l->caller)) < 0)
		return 0;
	l->format = KMSG_FORMAT_KMSG;
	l->facility = prio >> 3;
	l->level = prio & 7;
	l->seq = (int64_t)seq;
	l->ts_usec = ts;
	l->flag = flag;
	unescape_into(&text, s + off, strlen(s + off));
	l->text = text.s != NULL ? buf_detach(&text) : xstrdup("");
	return 1;
}

/* journalctl's "-- Boot 0123abcd... --" and friends. */
static int
journal_marker(const char *s, struct kmsg_line *l)
{
	if (!has_prefix(s, "-- ") || strlen(s) < 6 ||
	    strcmp(s + strlen(s) - 3, " --") != 0)
		return 0;
	l->format = KMSG_FORMAT_JOURNAL;
	l->boot = has_prefix(s, "-- Boot ") || has_prefix(s, "-- Reboot");
	l->text = xstrdup("");
	return 1;
}

/*
 * journalctl -o export: an entry is "KEY=value" lines and a blank line;
 * the kernel's text is MESSAGE=.  The other fields of an entry (trusted
 * "_X=", address "__X=", and the syslog ones) are not lines of the log.
 */
static int
export_line(const char *s, struct kmsg_line *l)
{
	static const char *const keys[] = { "PRIORITY=", "SYSLOG_FACILITY=",
	    "SYSLOG_IDENTIFIER=", "SYSLOG_TIMESTAMP=", "SYSLOG_RAW=" };
	const char *p = s;
	size_t i;

	if (has_prefix(s, "MESSAGE=")) {
		l->format = KMSG_FORMAT_JOURNAL;
		l->text = xstrdup(s + 8);
		return 1;
	}
	if (s[0] == '_') {
		while (*p == '_' || isupper((unsigned char)*p) ||
		    isdigit((unsigned char)*p))
			p++;
		if (*p != '=' || p == s + 1)
			return 0;
	} else {
		for (i = 0; i < ARRAY_SIZE(keys); i++)
			if (has_prefix(s, keys[i]))
				break;
		if (i == ARRAY_SIZE(keys))
			return 0;
	}
	l->format = KMSG_FORMAT_JOURNAL;
	l->text = xstrdup("");
	return 1;
}

/* A "[ sec.usec]" at t, as rsyslog and dmesg -x keep it: the text after. */
static const char *
after_timestamp(const char *t, struct kmsg_line *l)
{
	const char *q;
	uint64_t ts;

	if (parse_ts_at(t, &ts, &q) != 0)
		return t;
	l->ts_usec = ts;
	return *q == ' ' ? q + 1 : q;
}

/* journalctl -k, or dmesg -x: the message, or NULL. */
static const char *
journal_or_decoded(const char *s, struct kmsg_line *l)
{
	const char *t;
	int fac;

	if ((t = parse_journal(s, &fac)) != NULL) {
		l->format = KMSG_FORMAT_JOURNAL;
		l->facility = fac;
		return after_timestamp(t, l);
	}
	if ((fac = parse_dmesg_decode(s, &t)) >= 0) {
		l->format = KMSG_FORMAT_DMESG;
		l->facility = fac;
		return after_timestamp(t, l);
	}
	return NULL;
}

/* "<6>[ ..." console levels, "<14>" with dmesg -r, before the '[' at p. */
static void
console_level(const char *s, const char *p, struct kmsg_line *l)
{
	const char *lt = p - 2;
	int prio;

	if (p - s < 3 || p[-1] != '>')
		return;
	while (lt > s && isdigit((unsigned char)*lt))
		lt--;
	if (*lt == '<' && lt + 1 < p - 1) {
		prio = atoi(lt + 1);
		l->facility = prio >> 3;
		l->level = prio & 7;
	}
}

/* dmesg/console: the first "[ sec.usec]", after any noise; or NULL. */
static const char *
console_text(const char *s, struct kmsg_line *l)
{
	const char *p, *q, *t;
	uint64_t ts;
	int fac;

	for (p = strchr(s, '['); p != NULL; p = strchr(p + 1, '[')) {
		if (parse_ts_at(p, &ts, &q) != 0)
			continue;
		l->format = KMSG_FORMAT_DMESG;
		l->ts_usec = ts;
		console_level(s, p, l);
		/* The caller id right after the timestamp, or after a space. */
		if (parse_caller_at(q, l->caller, &q) != 0 &&
		    (*q != ' ' || parse_caller_at(q + 1, l->caller, &q) != 0))
			l->caller[0] = '\0';
		t = *q == ' ' ? q + 1 : q;
		/*
		 * journalctl -o short-monotonic: "[ ts] host kernel: text",
		 * and with --no-hostname "[ ts] kernel: text".
		 */
		if ((p = journal_rest(t - 1, &fac)) != NULL && fac == 0) {
			l->format = KMSG_FORMAT_JOURNAL;
			l->facility = 0;
			t = p;
		} else if (has_prefix(t, "kernel: ")) {
			l->format = KMSG_FORMAT_JOURNAL;
			l->facility = 0;
			t += 8;
		}
		return t;
	}
	return NULL;
}

/* dmesg -T: "[Fri Nov 21 12:00:00 2025] text"; or NULL. */
static const char *
ctime_text(const char *s, struct kmsg_line *l)
{
	const char *p;

	if (s[0] != '[' || !isupper((unsigned char)s[1]) ||
	    (p = strstr(s, "] ")) == NULL || p - s != 25)
		return NULL;
	l->format = KMSG_FORMAT_DMESG;
	return p + 2;
}

/* The CPU or PID a line is about: its caller id, or a "CPU: N" line. */
static void
line_context(struct kmsg_line *l)
{
	int cpu, pid;

	if (l->caller[0] == 'C')
		l->cpu = atoi(l->caller + 1);
	else if (l->caller[0] == 'T')
		l->pid = atoi(l->caller + 1);
	if (kmsg_parse_cpu_line(l->text, &cpu, &pid)) {
		l->cpu = cpu;
		l->pid = pid;
	}
}

void
kmsg_line_parse(const char *line, size_t len, struct kmsg_line *l)
{
	char *s = clean_line(line, len);
	const char *t;

	memset(l, 0, sizeof *l);
	l->format = KMSG_FORMAT_PLAIN;
	l->ts_usec = KMSG_NO_TS;
	l->facility = l->level = -1;
	l->seq = -1;
	l->flag = '-';
	l->cpu = l->pid = -1;

	if (!record_line(s, l) && !journal_marker(s, l) && !export_line(s, l)) {
		if ((t = journal_or_decoded(s, l)) == NULL &&
		    (t = console_text(s, l)) == NULL &&
		    (t = ctime_text(s, l)) == NULL)
			t = s;
		l->text = xstrdup(t);
	}
	free(s);
	line_context(l);
}

void
kmsg_line_clear(struct kmsg_line *l)
{
	if (l == NULL)
		return;
	free(l->text);
	l->text = NULL;
}

