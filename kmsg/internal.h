/*
 * internal.h - what the parts of kmsg/ share (not for use outside kmsg/):
 * the string helpers every part uses, what a line inside a report is
 * (line classes), what starts a report (headers), and the lines of a
 * finished report that its title is chosen from.
 *
 *   format.c      /dev/kmsg records and saved-log lines (the formats)
 *   frame.c       stack frame lines, skip lists, the frame a title names
 *   header.c      line classes and report headers
 *   title.c       titles, their normalisation, signatures
 *   classifier.c  the report state machine
 */
#ifndef MMSTORM_KMSG_INTERNAL_H
#define MMSTORM_KMSG_INTERNAL_H

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FRAME_MAX 256     /* Rust symbols run long */
#define FRAMES_MAX 64

/* Small string helpers: on the daemon's path for every line, inline. */
static inline int
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static inline const char *
skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static inline int
is_word_char(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static inline int
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
static inline int
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

static inline int
take_int(const char **s, int *v)
{
	uint64_t n;

	if (take_u64(s, &n) != 0 || n > 0x7fffffff)
		return -1;
	*v = (int)n;
	return 0;
}

/* What a line inside or after a report is (kmsg_line_class()). */
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

/* What a report header says the report is (kmsg_match_header()). */
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
	H_UBSAN,        /* UBSAN: ... */
	H_LOCKDEP,      /* INFO: <lockdep report> */
	H_NETDEV,       /* unregister_netdevice: waiting for DEV */
	H_VFS,          /* VFS: Busy inodes after unmount, ... */
};

struct header {
	enum htype type;
	int weak;       /* continues an open report instead of starting one */
	int cpu;
	int pid;
};

/* The lines of a report, split in place. */
struct rlines {
	char *copy;
	char **v;
	size_t n;
};

/* format.c: "CPU: 1 PID: 123 Comm: x"; 1 when t is such a line. */
int kmsg_parse_cpu_line(const char *t, int *cpu, int *pid);

/* frame.c: symbol names in frame and RIP lines (kmsg_frame_parse()). */
size_t kmsg_copy_symbol(const char *p, char *out, size_t outsz);
int kmsg_symbol_with_offset(const char *p, char *out, size_t outsz);
int kmsg_frame_symbol(const char *t, char *out, size_t outsz,
    int *questionable);
void kmsg_map_syscall(char *name);

/* frame.c: frames a title skips, NULL-terminated patterns. */
extern const char *const kmsg_skip_rcu[];
extern const char *const kmsg_skip_bad_page[];
extern const char *const kmsg_skip_list[];
extern const char *const kmsg_skip_sleep[];
extern const char *const kmsg_skip_sched[];
extern const char *const kmsg_skip_spin[];

/*
 * frame.c: the frame a title names, from lines [from, end) of a report,
 * into out ("" when none): the crash site (oops, BUG), the frame above
 * the interrupted context's anchor (lockups, stalls), or where a hung
 * task waits for something other than scheduling and locks.
 */
void kmsg_crash_frame(struct rlines *rl, size_t from, size_t end,
    const char *const *skip, char *out, size_t outsz);
void kmsg_stall_frame(struct rlines *rl, size_t from, size_t end,
    int after_apic, const char *const *skip, char *out, size_t outsz);
void kmsg_hang_frame(struct rlines *rl, size_t from, size_t end,
    char *out, size_t outsz);

/*
 * How a title's frame is found (kmsg_pick_frame()), in order: the name
 * `first` (a header's "in f"), the first exception-site line (RIP:,
 * pc :, NIP, PSW, epc) when `rip`, then, after the first line holding
 * `after` (or after the header), up to `at_lines` lockdep "at: f" lines
 * (or "[<addr>] f" lines with `pc_line`), then a stack: the one after
 * "Call Trace:", or the frames right there.  Frames matching the global
 * skip list or `skip` are left out (none with KMSG_NO_SKIP); the first
 * one left names the title, or with `stall` the one above the first
 * stall anchor.
 */
#define KMSG_NO_SKIP ((const char *const *)-1)
enum { KMSG_STACK_NONE, KMSG_STACK_CALL_TRACE, KMSG_STACK_HERE };
struct kmsg_pick {
	const char *first;
	int rip;
	const char *after;
	int at_lines;
	int pc_line;
	int stack;
	const char *const *skip;
	int stall;
};
int kmsg_pick_frame(struct rlines *rl, size_t from, size_t end,
    const struct kmsg_pick *pk, char *out, size_t outsz);

/* header.c */
enum lclass kmsg_line_class(const char *t);
/* Does t start a report?  h->type is H_NONE when it does not. */
void kmsg_match_header(const char *t, struct header *h);
int kmsg_is_lockdep(const char *t);
/* The lockdep WARNINGs, which carry no "at file:line func". */
extern const char *const kmsg_warning_lockdep[];

/* title-debug.c: sanitizers, UBSAN, kmemleak, lockdep, WARNING families. */
char *kmsg_sanitizer_title(const char *p, struct rlines *rl, size_t from,
    size_t end, int *corrupted);
char *kmsg_ubsan_title(const char *hdr, struct rlines *rl, size_t from,
    size_t end, int *corrupted);
char *kmsg_leak_title(struct rlines *rl, size_t from, size_t end,
    int *corrupted);
char *kmsg_lockdep_title(const char *p, struct rlines *rl, size_t from,
    size_t end, int *corrupted);
char *kmsg_warning_family_title(const char *p, struct rlines *rl,
    size_t from, size_t end, int *corrupted);
const char *kmsg_debug_kind(const char *title);

/* title.c */
void kmsg_rlines_split(struct rlines *rl, const char *text);
void kmsg_rlines_free(struct rlines *rl);
/*
 * The normalised title of a report of this type whose header is line
 * hdr_idx of rl; lines from end on (a panic that followed) are not
 * searched for frames.  Allocated.
 */
char *kmsg_title(enum htype type, struct rlines *rl, size_t hdr_idx,
    size_t end, int *corrupted);

#endif
