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

/* "f" or "" -> "base in f" or "base" (then *corrupted: no frame found). */
static char *
titled(const char *base, const char *f, int *corrupted)
{
	if (f[0] == '\0') {
		*corrupted = 1;
		return xstrdup(base);
	}
	return xasprintf("%s in %s", base, f);
}

/* A BUG: form whose frame comes from "Call Trace:" with its own skips. */
struct bug_form {
	const char *msg;        /* after "BUG: " */
	const char *title;      /* NULL: the message bug_message() cuts */
	int rip, stall;
	const char *const skip[8];
};

static const struct bug_form bug_forms[] = {
	{ "spinlock ", NULL, 0, 0, { "spin_", "_lock", "_unlock", NULL } },
	{ "rwlock ", NULL, 0, 0, { "spin_", "_lock", "_unlock", NULL } },
	{ "scheduling while atomic", "BUG: scheduling while atomic", 0, 0,
	    { "schedule", NULL } },
	{ "sleeping function called from invalid context",
	    "BUG: sleeping function called from invalid context", 0, 0,
	    { NULL } },
	{ "stack guard page was hit", "BUG: stack guard page was hit", 1, 1,
	    { NULL } },
};

/* "BUG: using smp_processor_id() in preemptible [...] code: x/1" */
static char *
preemptible_title(const char *p, struct rlines *rl, size_t from, size_t end,
    int *corrupted)
{
	static const char *const skip[] = { "dump_stack", "preemption",
	    "preempt", "debug_", "processor_id", "this_cpu", NULL };
	struct kmsg_pick pk = { .stack = KMSG_STACK_CALL_TRACE, .skip = skip };
	const char *paren = strstr(p, "()");
	char f[FRAME_MAX], *base, *t;

	kmsg_pick_frame(rl, from, end, &pk, f, sizeof f);
	base = xasprintf("BUG: using %.*s() in preemptible code",
	    (int)(paren - p - 6), p + 6);
	t = titled(base, f, corrupted);
	free(base);
	return t;
}

/* The BUG: forms of lockdep, kmemleak, workqueues, dentries. */
static char *
bug_special(const char *p, struct rlines *rl, size_t from, size_t end,
    int *corrupted)
{
	const char *q;
	char f[FRAME_MAX];
	size_t i;

	if (has_prefix(p, "memory leak"))
		return kmsg_leak_title(rl, from, end, corrupted);
	if (has_prefix(p, "using ") && strstr(p, "() in preemptible") != NULL)
		return preemptible_title(p, rl, from, end, corrupted);
	if (has_prefix(p, "workqueue leaked lock or atomic")) {
		for (i = from; i < end; i++)
			if ((q = strstr(rl->v[i], "last function: ")) != NULL) {
				kmsg_copy_symbol(q + 15, f, sizeof f);
				return xasprintf("BUG: workqueue leaked lock or "
				    "atomic in %s", f);
			}
		*corrupted = 1;
		return xstrdup("BUG: workqueue leaked lock or atomic");
	}
	if (has_prefix(p, "Dentry ") && strstr(p, " still in use") != NULL)
		return strstr(p, "[unmount of") != NULL ?
		    xstrdup("BUG: Dentry still in use in unmount") :
		    xstrdup("BUG: Dentry still in use");
	return NULL;
}

static char *
bug_title(const char *hdr, struct rlines *rl, size_t from, size_t end,
    int *corrupted)
{
	char msg[256], f[FRAME_MAX];
	const char *p = strstr(hdr, "BUG: ");
	struct kmsg_pick pk = { .stack = KMSG_STACK_CALL_TRACE };
	const struct bug_form *bf;
	char *t;
	size_t i;

	if (p == NULL && has_prefix(hdr, "unreferenced object "))
		return kmsg_leak_title(rl, from, end, corrupted);
	if (p == NULL) {
		/* SLUB: "BUG kmalloc-64 (Not tainted): Poison overwritten" */
		p = strstr(hdr, "): ");
		snprintf(msg, sizeof msg, "%s", p != NULL ? p + 3 : hdr);
		return xasprintf("BUG: %s", msg);
	}
	if ((t = kmsg_lockdep_title(p, rl, from, end, corrupted)) != NULL)
		return t;
	p += 5;
	if (has_prefix(p, "KASAN: ") || has_prefix(p, "KFENCE: ") ||
	    has_prefix(p, "KMSAN: ") || has_prefix(p, "KCSAN: "))
		return kmsg_sanitizer_title(p, rl, from, end, corrupted);
	if ((t = bug_special(p, rl, from, end, corrupted)) != NULL)
		return t;
	for (i = 0; i < ARRAY_SIZE(bug_forms); i++) {
		bf = &bug_forms[i];
		/* "BUG: TASK stack guard page was hit at" (5.14+) */
		if (!has_prefix(p, bf->msg) && !(bf->stall &&
		    strstr(p, bf->msg) != NULL))
			continue;
		pk.rip = bf->rip;
		pk.stall = bf->stall;
		pk.skip = bf->skip;
		kmsg_pick_frame(rl, from, end, &pk, f, sizeof f);
		bug_message(p, msg, sizeof msg);
		t = xasprintf("BUG: %s", bf->title != NULL ? bf->title + 5 :
		    msg);
		p = titled(t, f, corrupted);
		free(t);
		return (char *)p;
	}
	/* Any other BUG: is its line (syzkaller), numbers normalised. */
	return xasprintf("BUG: %s", p);
}

static char *
warning_title(const char *hdr, struct rlines *rl, size_t from, size_t end,
    int *corrupted)
{
	struct kmsg_pick pk = { .rip = 1, .stack = KMSG_STACK_CALL_TRACE };
	char f[FRAME_MAX];
	const char *p = strstr(hdr, "WARNING: ");
	char *t;

	if (p == NULL)
		p = hdr;
	if ((t = kmsg_lockdep_title(p, rl, from, end, corrupted)) != NULL ||
	    (t = kmsg_warning_family_title(p, rl, from, end, corrupted)) !=
	    NULL)
		return t;
	if (has_prefix(p, "WARNING: kernel stack regs at "))
		return xasprintf("WARNING: kernel stack regs has bad '%s' value",
		    strstr(p, "bad 'bp'") != NULL ? "bp" : "ip");
	if (has_prefix(p, "WARNING: kernel stack frame pointer at "))
		return xstrdup("WARNING: kernel stack frame pointer has bad "
		    "value");
	/* The warning's own function may be a helper: the stack decides. */
	if (kmsg_pick_frame(rl, from, end, &pk, f, sizeof f) == 0)
		return titled("WARNING", f, corrupted);
	/* No stack: the header's function, but not a title to group by. */
	*corrupted = 1;
	if (warning_function(p, f, sizeof f))
		kmsg_map_syscall(f);
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
		if (strstr(rl->v[from], " can't die ") != NULL) {
			/* A killed task stuck on its way out (syzkaller). */
			static const char *const sched[] = { "schedule", NULL };
			struct kmsg_pick pk = { .stack = KMSG_STACK_CALL_TRACE,
			    .skip = sched };

			kmsg_pick_frame(rl, from, end, &pk, f, sizeof f);
			return with_frame("INFO: task can't die", f);
		}
		kmsg_hang_frame(rl, from, end, f, sizeof f);
		return with_frame("INFO: task hung", f);
	default:
		return xstrdup("BUG: workqueue lockup");
	}
}

/* The label of an oops header; *rip_only when syzkaller reads no stack. */
static const char *
oops_label(const char *hdr, int *rip_only)
{
	static const struct { const char *hdr, *label; int rip_only; } v[] = {
		{ "invalid opcode", "invalid opcode", 1 },
		{ "divide error", "divide error", 1 },
		{ "divide_error", "divide error", 1 },
		{ "PANIC: double fault", "PANIC: double fault", 1 },
		{ "stack segment", "stack segment fault", 0 },
		{ "Internal error", "Internal error", 0 },
		{ "Unhandled fault", "Unhandled fault", 0 },
		{ "Alignment trap", "Alignment trap", 0 },
		{ "int3", "int3", 0 },
	};
	size_t i;

	/* 6.x x86: "Oops: invalid opcode: 0000 [#1]", "Oops: int3: 0000" */
	if (has_prefix(hdr, "Oops: "))
		hdr += 6;
	for (i = 0; i < ARRAY_SIZE(v); i++)
		if (has_prefix(hdr, v[i].hdr)) {
			*rip_only = v[i].rip_only;
			return v[i].label;
		}
	return "Oops";
}

/* "BUG: unable to handle kernel paging request", and arm's access kinds. */
static const char *
paging_label(const char *hdr)
{
	if (strstr(hdr, "access to user memory") != NULL)
		return "BUG: unable to handle kernel access to user memory";
	return "BUG: unable to handle kernel paging request";
}

/* Oopses and kernel BUG()s: the label the header gives, the crash site. */
static char *
crash_title(enum htype type, const char *hdr, struct rlines *rl,
    size_t from, size_t end, int *corrupted)
{
	static const char *const skb[] = { "^skb_", NULL };
	static const char *const usercopy[] = { "usercopy", "__check", NULL };
	struct kmsg_pick pk = { .rip = 1, .stack = KMSG_STACK_CALL_TRACE };
	const char *label;
	char f[FRAME_MAX];
	int rip_only = 0;

	switch (type) {
	case H_NULL_DEREF:
		label = "BUG: unable to handle kernel NULL pointer dereference";
		break;
	case H_PAGING:
		label = paging_label(hdr);
		break;
	case H_GPF:
		label = "general protection fault";
		break;
	case H_KERNEL_BUG:
		pk.rip = 0;
		if (strstr(hdr, "lib/list_debug.c") != NULL) {
			label = "BUG: corrupted list";
			pk.skip = kmsg_skip_list;
		} else if (strstr(hdr, "mm/usercopy.c") != NULL) {
			label = "BUG: bad usercopy";
			pk.skip = usercopy;
		} else {
			label = "kernel BUG";
			pk.rip = 1;
			pk.skip = skb;
		}
		break;
	default:
		label = oops_label(hdr, &rip_only);
		if (rip_only)
			pk.stack = KMSG_STACK_NONE;
		break;
	}
	kmsg_pick_frame(rl, from, end, &pk, f, sizeof f);
	return titled(label, f, corrupted);
}

/* "Kernel panic - not syncing: REASON" with nothing before it. */
static char *
panic_title(const char *hdr, struct rlines *rl, size_t from, size_t end,
    int *corrupted)
{
	static const char *const chk[] = { "stack_chk", NULL };
	static const char *const sched[] = { "schedule", "retint_kernel", NULL };
	static const char *const bad_stack[] = { "bad_stack", NULL };
	struct kmsg_pick pk = { .stack = KMSG_STACK_CALL_TRACE };
	const char *p = strstr(hdr, "not syncing: "), *q;
	char f[FRAME_MAX];

	p = p != NULL ? p + 13 : hdr;
	if (has_prefix(p, "stack-protector: ")) {
		q = strstr(p, "corrupted in: ");
		f[0] = '\0';
		if (q == NULL || !kmsg_symbol_with_offset(q + 14, f, sizeof f)) {
			pk.skip = chk;
			kmsg_pick_frame(rl, from, end, &pk, f, sizeof f);
		}
		return titled("kernel panic: stack is corrupted", f, corrupted);
	}
	if (has_prefix(p, "corrupted stack end") ||
	    has_prefix(p, "kernel stack overflow")) {
		pk.skip = p[0] == 'c' ? sched : bad_stack;
		pk.stall = 1;
		kmsg_pick_frame(rl, from, end, &pk, f, sizeof f);
		return titled(p[0] == 'c' ? "kernel panic: corrupted stack end" :
		    "kernel stack overflow", f, corrupted);
	}
	if (has_prefix(p, "Attempted to kill init!"))
		return xstrdup("kernel panic: Attempted to kill init!");
	if (has_prefix(p, "Couldn't open N_TTY ldisc"))
		return xstrdup("kernel panic: Couldn't open N_TTY ldisc");
	/* What follows a report whose header was lost (syzkaller). */
	if (has_prefix(p, "Fatal exception") ||
	    has_prefix(p, "panic_on_warn set") ||
	    has_prefix(p, "hung_task: blocked tasks"))
		*corrupted = 1;
	return xasprintf("kernel panic: %s", p);
}

/* Bad page state/map/cache, bad rss-counter, non-zero pgtables. */
static char *
bad_page_title(enum htype type, const char *hdr, struct rlines *rl,
    size_t from, size_t end)
{
	static const char *const owner_skip[] = { "free_page", "put_page",
	    "get_page", "update_page", "release_page", "free_unref",
	    "^folio", "^_folio", "^__folio", "truncate_inode_pages",
	    "page_frag_free", "alloc", "vmap", "page_owner", NULL };
	static const struct kmsg_pick owner = { .after = "page last allocated",
	    .stack = KMSG_STACK_HERE, .skip = owner_skip };
	const char *p, *label;
	char f[FRAME_MAX], msg[128];

	if (type == H_BAD_PAGE) {
		/*
		 * With page_owner, the page's allocation names the bug (as
		 * syzkaller); without, the path that noticed.
		 */
		if (kmsg_pick_frame(rl, from, end, &owner, f, sizeof f) != 0)
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

/* The kinds of report whose title is their header's words. */
static char *
plain_title(enum htype type, const char *hdr)
{
	if (type == H_NETDEV)
		return xstrdup("unregister_netdevice: waiting for DEV to become "
		    "free");
	if (strstr(hdr, "Busy inodes") != NULL)
		return xstrdup("VFS: Busy inodes after unmount (use-after-free)");
	return xstrdup("VFS: Close: file count is zero (use-after-free)");
}

/* A "[ 12.3456]" inside a title: lines of two reports were merged. */
static int
merged_timestamp(const char *t)
{
	const char *p;

	for (p = strchr(t, '['); p != NULL; p = strchr(p + 1, '[')) {
		const char *q = p + 1;

		while (*q == ' ')
			q++;
		if (!isdigit((unsigned char)*q))
			continue;
		while (isdigit((unsigned char)*q))
			q++;
		if (*q++ != '.' || !isdigit((unsigned char)*q))
			continue;
		while (isdigit((unsigned char)*q))
			q++;
		if (*q == ']')
			return 1;
	}
	return 0;
}

char *
kmsg_title(enum htype type, struct rlines *rl, size_t hdr_idx, size_t end,
    int *corrupted)
{
	const char *hdr = hdr_idx < rl->n ? rl->v[hdr_idx] : "";
	char *title, *norm;

	*corrupted = 0;
	/* The forms kmsg_match_header() reads past. */
	if (has_prefix(hdr, "[ ") || has_prefix(hdr, " BUG: KCSAN"))
		hdr += hdr[0] == '[' ? 2 : 1;
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
		title = crash_title(type, hdr, rl, hdr_idx, end, corrupted);
		break;
	case H_BUG:
		title = bug_title(hdr, rl, hdr_idx, end, corrupted);
		break;
	case H_BAD_PAGE:
	case H_BAD_RSS:
		title = bad_page_title(type, hdr, rl, hdr_idx, end);
		break;
	case H_WARNING:
		title = warning_title(hdr, rl, hdr_idx, end, corrupted);
		break;
	case H_UBSAN:
		title = kmsg_ubsan_title(hdr, rl, hdr_idx, end, corrupted);
		break;
	case H_LOCKDEP:
		title = kmsg_lockdep_title(hdr, rl, hdr_idx, end, corrupted);
		if (title == NULL)
			title = xstrdup(hdr);
		break;
	case H_NETDEV:
	case H_VFS:
		title = plain_title(type, hdr);
		break;
	case H_OOM:
	case H_OOM_KILL:
		title = oom_title(rl);
		break;
	case H_PANIC:
	default:
		title = panic_title(hdr, rl, hdr_idx, end, corrupted);
		break;
	}
	if (*corrupted && end < rl->n) {
		/*
		 * panic_on_warn/panic_on_oops: the panic right after the
		 * header printed the report's only stack.
		 */
		free(title);
		return kmsg_title(type, rl, hdr_idx, rl->n, corrupted);
	}
	if (merged_timestamp(title))
		*corrupted = 1;
	norm = kmsg_title_normalize(title);
	free(title);
	return norm;
}
