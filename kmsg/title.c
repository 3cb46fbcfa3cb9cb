/*
 * title.c - report titles: one per report kind from its header and the
 * frame frame.c chooses, normalised as syzkaller does (kmsg.h), and the
 * signature that groups one bug across runs.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/sha256.h"
#include "common/util.h"
#include "kmsg/internal.h"
#include "kmsg/kmsg.h"

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

void
kmsg_rlines_split(struct rlines *rl, const char *text)
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

void
kmsg_rlines_free(struct rlines *rl)
{
	free(rl->copy);
	free(rl->v);
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
		if (kmsg_symbol_with_offset(tok, out, outsz))
			return 1;
		/* 2.6: "WARNING: at file:line func()" */
		n = kmsg_copy_symbol(tok, out, outsz);
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
		if (q != NULL && kmsg_symbol_with_offset(q + 4, f, sizeof f))
			kmsg_map_syscall(f);
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
		skip = kmsg_skip_sleep;
	else if (has_prefix(msg, "scheduling while atomic"))
		skip = kmsg_skip_sched;
	else if (has_prefix(msg, "spinlock"))
		skip = kmsg_skip_spin;
	kmsg_crash_frame(rl, from, end, skip, f, sizeof f);
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
	for (i = 0; kmsg_warning_lockdep[i] != NULL; i++) {
		if (!has_prefix(p, kmsg_warning_lockdep[i]))
			continue;
		kmsg_crash_frame(rl, from, end, NULL, f, sizeof f);
		for (j = 0; deadlock[j] != NULL; j++)
			if (has_prefix(p, deadlock[j]))
				return with_frame("possible deadlock", f);
		if (has_prefix(p, "WARNING: inconsistent lock state"))
			return with_frame("inconsistent lock state", f);
		snprintf(msg, sizeof msg, "%s", kmsg_warning_lockdep[i]);
		if (msg[strlen(msg) - 1] == '!')
			msg[strlen(msg) - 1] = '\0';
		return with_frame(msg, f);
	}
	if (warning_function(p, f, sizeof f)) {
		kmsg_map_syscall(f);
		return with_frame("WARNING", f);
	}
	kmsg_crash_frame(rl, from, end, NULL, f, sizeof f);
	return with_frame("WARNING", f);
}

/* Lockups, stalls, hung tasks: where the CPU or task was stuck. */
static char *
stall_title(enum htype type, struct rlines *rl, size_t from, size_t end)
{
	char f[FRAME_MAX];

	f[0] = '\0';
	switch (type) {
	case H_SOFT_LOCKUP:
		kmsg_stall_frame(rl, from, end, 0, NULL, f, sizeof f);
		return with_frame("BUG: soft lockup", f);
	case H_HARD_LOCKUP:
		kmsg_stall_frame(rl, from, end, 0, NULL, f, sizeof f);
		return with_frame("BUG: hard lockup", f);
	case H_RCU_STALL:
		kmsg_stall_frame(rl, from, end, 1, kmsg_skip_rcu, f, sizeof f);
		return with_frame("INFO: rcu detected stall", f);
	case H_HUNG_TASK:
		kmsg_hang_frame(rl, from, end, f, sizeof f);
		return with_frame("INFO: task hung", f);
	default:
		return xstrdup("BUG: workqueue lockup");
	}
}

/* Oopses and kernel BUG()s: the label the header gives, the crash site. */
static char *
crash_title(enum htype type, const char *hdr, struct rlines *rl,
    size_t from, size_t end)
{
	const char *label;
	const char *const *skip = NULL;
	char f[FRAME_MAX];

	switch (type) {
	case H_NULL_DEREF:
		label = "BUG: unable to handle kernel NULL pointer dereference";
		break;
	case H_PAGING:
		label = "BUG: unable to handle kernel paging request";
		break;
	case H_GPF:
		label = "general protection fault";
		break;
	case H_KERNEL_BUG:
		if (strstr(hdr, "lib/list_debug.c") != NULL) {
			label = "BUG: corrupted list";
			skip = kmsg_skip_list;
		} else
			label = "kernel BUG";
		break;
	default:
		if (has_prefix(hdr, "invalid opcode"))
			label = "invalid opcode";
		else if (has_prefix(hdr, "divide error"))
			label = "divide error";
		else if (has_prefix(hdr, "stack segment"))
			label = "stack segment fault";
		else
			label = "Oops";
		break;
	}
	f[0] = '\0';
	kmsg_crash_frame(rl, from, end, skip, f, sizeof f);
	return with_frame(label, f);
}

/* Bad page state/map/cache, bad rss-counter, non-zero pgtables. */
static char *
bad_page_title(enum htype type, const char *hdr, struct rlines *rl,
    size_t from, size_t end)
{
	const char *p, *label;
	char f[FRAME_MAX], msg[128];

	if (type == H_BAD_PAGE) {
		f[0] = '\0';
		kmsg_crash_frame(rl, from, end, kmsg_skip_bad_page, f,
		    sizeof f);
		p = strstr(hdr, "BUG: Bad page ");
		label = p != NULL && has_prefix(p + 14, "map") ?
		    "BUG: Bad page map" : p != NULL &&
		    has_prefix(p + 14, "cache") ? "BUG: Bad page cache" :
		    "BUG: Bad page state";
		return with_frame(label, f);
	}
	if (strstr(hdr, "Bad rss-counter") != NULL)
		return xstrdup("BUG: Bad rss-counter state");
	p = strstr(hdr, "BUG: ");
	bug_message(p != NULL ? p + 5 : hdr, msg, sizeof msg);
	return xasprintf("BUG: %s", msg);
}

char *
kmsg_title(enum htype type, struct rlines *rl, size_t hdr_idx, size_t end)
{
	const char *hdr = hdr_idx < rl->n ? rl->v[hdr_idx] : "";
	const char *p;
	char *title, *norm;

	switch (type) {
	case H_SOFT_LOCKUP:
	case H_HARD_LOCKUP:
	case H_RCU_STALL:
	case H_HUNG_TASK:
	case H_WQ_LOCKUP:
		title = stall_title(type, rl, hdr_idx, end);
		break;
	case H_NULL_DEREF:
	case H_PAGING:
	case H_GPF:
	case H_OOPS:
	case H_KERNEL_BUG:
		title = crash_title(type, hdr, rl, hdr_idx, end);
		break;
	case H_BUG:
		title = bug_title(hdr, rl, hdr_idx, end);
		break;
	case H_BAD_PAGE:
	case H_BAD_RSS:
		title = bad_page_title(type, hdr, rl, hdr_idx, end);
		break;
	case H_WARNING:
		title = warning_title(hdr, rl, hdr_idx, end);
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

