/*
 * title-debug.c - titles of what debug kernels print (issue 13): the
 * sanitizers (KASAN, KFENCE, KMSAN, KCSAN, UBSAN), kmemleak, lockdep, and
 * the WARNING families whose function is not the one that warned
 * (refcount, ODEBUG, kobject, usercopy, locking, kmalloc, ...); and the
 * kind each report gets (docs/kmsg.md).
 *
 * The title conventions are syzkaller's (pkg/report/linux.go): its
 * formats, and the frames it skips for each; the code is this project's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "kmsg/internal.h"
#include "kmsg/kmsg.h"

static char *
titled(const char *base, const char *f, int *corrupted)
{
	if (f[0] == '\0') {
		*corrupted = 1;
		return xstrdup(base);
	}
	return xasprintf("%s in %s", base, f);
}

/* "KASAN: use-after-free in f+0x1/0x2" at p: the type and f. */
static void
type_and_func(const char *p, char *type, size_t typesz, char *f, size_t fsz)
{
	const char *in = strstr(p, " in ");

	snprintf(type, typesz, "%.*s", (int)(in != NULL ? in - p :
	    (long)strlen(p)), p);
	f[0] = '\0';
	if (in != NULL && !kmsg_symbol_with_offset(in + 4, f, fsz)) {
		size_t n = kmsg_copy_symbol(in + 4, f, fsz);

		if (n == 0)
			f[0] = '\0';
	}
}

/* "Read of size 8", "Write at addr": the access of a KASAN report. */
static const char *
kasan_access(struct rlines *rl, size_t from, size_t end)
{
	size_t i;

	for (i = from; i < end && i < from + 8; i++) {
		if (strstr(rl->v[i], "Read of size") != NULL ||
		    strstr(rl->v[i], "Read at addr") != NULL)
			return "Read";
		if (strstr(rl->v[i], "Write of size") != NULL ||
		    strstr(rl->v[i], "Write at addr") != NULL)
			return "Write";
	}
	return NULL;
}

/* p points after "BUG: " at "KASAN: ", "KFENCE: ", "KMSAN: ", "KCSAN: ". */
char *
kmsg_sanitizer_title(const char *p, struct rlines *rl, size_t from,
    size_t end, int *corrupted)
{
	static const char *const kasan_hw[] = { "kernel_fault", "tag_check",
	    "mem_abort", "^el1_", "^el1h_", NULL };
	static const char *const kasan_free[] = { "slab_", "kfree", "vunmap",
	    "vfree", NULL };
	static const char *const kmsan[] = { "alloc_skb", "netlink_ack",
	    "netlink_rcv_skb", "$_encrypt", "^crypto_", "^cipher_", "^drbg_",
	    "^rng_", NULL };
	struct kmsg_pick pk = { 0 };
	char type[96], hf[FRAME_MAX], f[FRAME_MAX], *t, *base;
	const char *rw;

	if (has_prefix(p, "KCSAN: "))
		return xstrdup(p);
	type_and_func(p, type, sizeof type, hf, sizeof hf);
	pk.first = hf;
	if (has_prefix(p, "KMSAN: ")) {
		pk.first = NULL;
		pk.stack = KMSG_STACK_HERE;
		pk.skip = kmsan;
	} else if (has_prefix(p, "KFENCE: ")) {
		pk.stack = KMSG_STACK_HERE;
	} else {
		pk.stack = KMSG_STACK_CALL_TRACE;
		pk.skip = kasan_hw;
		if (strstr(type, "invalid-free") != NULL ||
		    strstr(type, "double-free") != NULL) {
			pk.skip = kasan_free;
			snprintf(type, sizeof type, "KASAN: invalid-free");
		}
	}
	kmsg_pick_frame(rl, from, end, &pk, f, sizeof f);
	rw = has_prefix(p, "KASAN: ") && strstr(type, "invalid-free") == NULL ?
	    kasan_access(rl, from, end) : NULL;
	if (has_prefix(p, "KASAN: ") && rw == NULL &&
	    strstr(type, "invalid-free") == NULL) {
		/* syzkaller: no access line, the header as it is. */
		*corrupted = 1;
		return xstrdup(p);
	}
	base = rw != NULL ? xasprintf("%s %s", type, rw) : xstrdup(type);
	t = titled(base, f, corrupted);
	free(base);
	return t;
}

/* "UBSAN: shift-out-of-bounds in net/x.c:12:3" */
char *
kmsg_ubsan_title(const char *hdr, struct rlines *rl, size_t from,
    size_t end, int *corrupted)
{
	static const char *const skip[] = { "ubsan", "overflow", NULL };
	struct kmsg_pick pk = { .stack = KMSG_STACK_CALL_TRACE, .skip = skip };
	const char *p = strstr(hdr, "UBSAN: "), *in;
	char f[FRAME_MAX], *base, *t;

	p = p != NULL ? p + 7 : hdr;
	kmsg_pick_frame(rl, from, end, &pk, f, sizeof f);
	if (has_prefix(p, "Undefined behaviour in"))
		base = xstrdup("UBSAN: undefined-behaviour");
	else if ((in = strstr(p, " in")) != NULL)
		base = xasprintf("UBSAN: %.*s", (int)(in - p), p);
	else
		base = xasprintf("UBSAN: %s", p);
	t = titled(base, f, corrupted);
	free(base);
	return t;
}

/* kmemleak: "BUG: memory leak", the allocation's backtrace. */
char *
kmsg_leak_title(struct rlines *rl, size_t from, size_t end, int *corrupted)
{
	static const char *const skip[] = { "kmemleak", "mmap", "kmem",
	    "slab", "alloc", "create_object", "idr_get", "list_lru_init",
	    "kasprintf", "kvasprintf", "pcpu_create", "strdup", "strndup",
	    "memdup", NULL };
	struct kmsg_pick pk = { .after = "backtrace", .stack = KMSG_STACK_HERE,
	    .skip = skip };
	char f[FRAME_MAX];

	kmsg_pick_frame(rl, from, end, &pk, f, sizeof f);
	return titled("memory leak", f, corrupted);
}

/* One lockdep report form: its header, its title, how its frame is found. */
struct lockdep_form {
	const char *header;     /* after "WARNING: "/"INFO: "/"BUG: " */
	const char *title;      /* after the header's own word when ":" */
	struct kmsg_pick pick;
};

static const char *const skip_nonstatic[] = { "stack", "lock", "IRQ", NULL };
static const char *const skip_rcu_usage[] = { "rcu", "kmem", "slab", NULL };
static const char *const skip_workqueue[] = { "process_one_work",
    "flush_workqueue", "drain_workqueue", "destroy_workqueue", NULL };
static const char *const skip_lock_sock[] = { "lock_sock", "release_sock",
    NULL };

static const struct lockdep_form lockdep_forms[] = {
	{ "possible circular locking dependency", "possible deadlock",
	    { .after = "is trying to acquire lock", .at_lines = 2,
	    .stack = KMSG_STACK_HERE, .skip = skip_workqueue } },
	{ "possible recursive locking", "possible deadlock",
	    { .after = "is trying to acquire lock", .at_lines = 1,
	    .skip = KMSG_NO_SKIP } },
	{ "possible irq lock inversion", "possible deadlock",
	    { .after = "just changed the state of lock", .at_lines = 1,
	    .skip = KMSG_NO_SKIP } },
	{ "SOFTIRQ-safe -> SOFTIRQ-unsafe", "possible deadlock",
	    { .after = "which became ", .stack = KMSG_STACK_HERE } },
	{ "HARDIRQ-safe -> HARDIRQ-unsafe", "possible deadlock",
	    { .after = "which became ", .stack = KMSG_STACK_HERE } },
	{ "inconsistent lock state", "inconsistent lock state",
	    { .stack = KMSG_STACK_CALL_TRACE } },
	{ "suspicious RCU usage", ": suspicious RCU usage",
	    { .stack = KMSG_STACK_CALL_TRACE, .skip = skip_rcu_usage } },
	{ "trying to register non-static key",
	    "INFO: trying to register non-static key",
	    { .stack = KMSG_STACK_CALL_TRACE, .skip = skip_nonstatic } },
	{ "bad unlock balance detected", ": bad unlock balance",
	    { .at_lines = 1, .pc_line = 1, .stack = KMSG_STACK_CALL_TRACE } },
	{ "held lock freed", ": held lock freed",
	    { .at_lines = 1, .skip = KMSG_NO_SKIP } },
	{ "lock held when returning to user space",
	    ": lock held when returning to user space",
	    { .after = "leaving the kernel with locks still held",
	    .at_lines = 1, .skip = KMSG_NO_SKIP } },
	{ "Nested lock was not taken", "WARNING: nested lock was not taken",
	    { .rip = 1, .stack = KMSG_STACK_CALL_TRACE } },
	{ "Invalid wait context", "WARNING: locking bug",
	    { .stack = KMSG_STACK_CALL_TRACE, .skip = skip_lock_sock } },
};

/*
 * A lockdep report, p at its "WARNING: "/"INFO: "/"BUG: ": the title, or
 * NULL when p is no lockdep header.
 */
char *
kmsg_lockdep_title(const char *p, struct rlines *rl, size_t from,
    size_t end, int *corrupted)
{
	const char *q = strchr(p, ':');
	char f[FRAME_MAX], base[96];
	size_t i;

	if (q == NULL || q[1] != ' ')
		return NULL;
	if (strstr(p, "still has locks held!") != NULL) {
		struct kmsg_pick pk = { .at_lines = 1, .skip = KMSG_NO_SKIP };

		kmsg_pick_frame(rl, from, end, &pk, f, sizeof f);
		snprintf(base, sizeof base, "%.*s: still has locks held",
		    (int)(q - p), p);
		return titled(base, f, corrupted);
	}
	for (i = 0; i < ARRAY_SIZE(lockdep_forms); i++) {
		if (!has_prefix(q + 2, lockdep_forms[i].header))
			continue;
		kmsg_pick_frame(rl, from, end, &lockdep_forms[i].pick, f,
		    sizeof f);
		if (lockdep_forms[i].title[0] == ':')
			snprintf(base, sizeof base, "%.*s%s", (int)(q - p), p,
			    lockdep_forms[i].title);
		else
			snprintf(base, sizeof base, "%s",
			    lockdep_forms[i].title);
		return titled(base, f, corrupted);
	}
	return NULL;
}

/* A WARNING family: the source file in the header, the title, the skips. */
struct warn_family {
	const char *file;
	const char *func;       /* also in the header, or NULL */
	const char *title;
	const char *const skip[12];
};

static const struct warn_family warn_families[] = {
	{ "lib/debugobjects.c", NULL, "WARNING: ODEBUG bug",
	    { "debug_", "rcu", "hrtimer_", "timer_", "work_", "percpu_",
	    "vunmap", "vfree", "__free_", "debug_check", "kobject_", NULL } },
	{ "mm/usercopy.c", NULL, "WARNING: bad usercopy",
	    { "usercopy", "__check", NULL } },
	{ "lib/kobject.c", NULL, "WARNING: kobject bug", { "kobject_", NULL } },
	{ "fs/proc/generic.c", NULL, "WARNING: proc registration bug",
	    { "proc_", NULL } },
	{ "lib/refcount.c", NULL, "WARNING: refcount bug",
	    { "refcount", "kobject_", NULL } },
	{ "kernel/locking/lockdep.c", "lock_", "WARNING: locking bug",
	    { "lock_sock", "release_sock", NULL } },
	{ "mm/vmalloc.c", "__vmalloc_node", "WARNING: zero-size vmalloc",
	    { NULL } },
	{ "mm/", "malloc", "WARNING: kmalloc bug",
	    { "kmalloc", "krealloc", "slab", "kmem", NULL } },
};

/* "WARNING: CPU: 0 PID: 1 at file.c:12 f+0x..": the title. */
char *
kmsg_warning_family_title(const char *p, struct rlines *rl, size_t from,
    size_t end, int *corrupted)
{
	static const char *const urb[] = { "usb_submit_urb",
	    "usb_start_wait_urb", "usb_bulk_msg", "usb_interrupt_msg",
	    "usb_control_msg", NULL };
	struct kmsg_pick pk = { .rip = 1, .stack = KMSG_STACK_CALL_TRACE };
	const struct warn_family *w;
	const char *file;
	char f[FRAME_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(warn_families); i++) {
		w = &warn_families[i];
		file = strstr(p, w->file);
		if (file == NULL || (w->func != NULL &&
		    strstr(file, w->func) == NULL))
			continue;
		pk.skip = w->skip;
		kmsg_pick_frame(rl, from, end, &pk, f, sizeof f);
		return titled(w->title, f, corrupted);
	}
	if (strstr(p, " usb_submit_urb") != NULL) {
		pk.skip = urb;
		kmsg_pick_frame(rl, from, end, &pk, f, sizeof f);
		if (f[0] == '\0')
			*corrupted = 1;
		return xasprintf("WARNING in %s/usb_submit_urb",
		    f[0] ? f : "corrupted");
	}
	return NULL;
}

/*
 * The kind of a report (docs/kmsg.md): the sanitizers, lockdep and
 * kmemleak are kinds of their own whatever their header's word (BUG:,
 * WARNING:, INFO:), so that verdict and lockups can tell them apart.
 */
const char *
kmsg_debug_kind(const char *title)
{
	static const char *const lockdep[] = {
		"possible deadlock", "inconsistent lock state",
		"WARNING: suspicious RCU usage", "INFO: suspicious RCU usage",
		"INFO: trying to register non-static key",
		"WARNING: bad unlock balance", "BUG: bad unlock balance",
		"WARNING: held lock freed", "BUG: held lock freed",
		"WARNING: still has locks held", "BUG: still has locks held",
		"WARNING: lock held when returning",
		"BUG: lock held when returning",
		"WARNING: nested lock was not taken", "WARNING: locking bug",
		"BUG: MAX_LOCKDEP", "BUG: MAX_STACK_TRACE_ENTRIES",
	};
	size_t i;

	if (has_prefix(title, "KASAN: ") || has_prefix(title, "KFENCE: ") ||
	    has_prefix(title, "KMSAN: "))
		return KMSG_KASAN;
	if (has_prefix(title, "KCSAN: "))
		return KMSG_DATA_RACE;
	if (has_prefix(title, "UBSAN: "))
		return KMSG_UBSAN;
	if (has_prefix(title, "memory leak"))
		return KMSG_MEMORY_LEAK;
	for (i = 0; i < ARRAY_SIZE(lockdep); i++)
		if (has_prefix(title, lockdep[i]))
			return KMSG_LOCKDEP;
	return NULL;
}
