/*
 * procfs.c - parsers for the kernel's text files, on a buffer.
 *
 * Nothing here allocates or copies: the sampler runs these on every
 * sample, over pread() buffers, so each parser is a single forward walk
 * that hands (key, keylen, value) pointers into the buffer to a callback.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "common/util.h"
#include "probe/procfs.h"

#define PERCPU_KEY_MAX 64

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* End of a line or of the buffer: where a field may end. */
static int
is_eol(char c)
{
	return c == '\n' || c == '\0';
}

static const char *
skip_blanks(const char *p)
{
	while (is_blank(*p))
		p++;
	return p;
}

/* The start of the next line, or the terminating NUL. */
static const char *
next_line(const char *p)
{
	while (*p != '\n' && *p != '\0')
		p++;
	return *p == '\n' ? p + 1 : p;
}

/*
 * A decimal integer at *pp, optionally signed.  The kernel prints most
 * counters with %lu, so a value is accumulated unsigned and wrapped into
 * int64: a per-cpu counter that drifted below zero and was printed as
 * 2^64-k reads back as -k.  Returns 0 and advances *pp, or -1.
 */
static int
parse_number(const char **pp, int64_t *value)
{
	const char *p = *pp;
	uint64_t v = 0;
	int negative = 0;

	if (*p == '-') {
		negative = 1;
		p++;
	}
	if (!is_digit(*p))
		return -1;
	while (is_digit(*p))
		v = v * 10 + (uint64_t)(*p++ - '0');
	*value = negative ? -(int64_t)v : (int64_t)v;
	*pp = p;
	return 0;
}

/* Like parse_number(), but the number must be a whole blank-separated
 * field: "2-edge" in an interrupts description is not a count. */
static int
parse_field(const char **pp, int64_t *value)
{
	const char *p = *pp;

	if (parse_number(&p, value) != 0)
		return -1;
	if (!is_blank(*p) && !is_eol(*p))
		return -1;
	*pp = p;
	return 0;
}

/*
 * Fixed point with two decimals, as PSI prints its averages
 * ("%lu.%02lu" in psi_show()): "2.50" -> 250.
 */
static int
parse_fixed2(const char **pp, int64_t *value)
{
	const char *p = *pp;
	int64_t whole, frac = 0;
	int digits = 0;

	if (parse_number(&p, &whole) != 0 || whole < 0)
		return -1;
	if (*p == '.') {
		p++;
		while (is_digit(*p)) {
			if (digits < 2) {
				frac = frac * 10 + (*p - '0');
				digits++;
			}
			p++;
		}
	}
	while (digits++ < 2)
		frac *= 10;
	*value = whole * 100 + frac;
	*pp = p;
	return 0;
}

int
procfs_parse_vmstat(const char *buf, kv_fn fn, void *arg)
{
	const char *p, *key;
	size_t keylen;
	int64_t v;
	int n = 0;

	for (p = buf; *p != '\0'; p = next_line(p)) {
		key = p;
		while (!is_blank(*p) && !is_eol(*p))
			p++;
		keylen = (size_t)(p - key);
		p = skip_blanks(p);
		if (keylen == 0 || parse_number(&p, &v) != 0)
			continue;
		fn(arg, key, keylen, v);
		n++;
	}
	return n;
}

int
procfs_parse_meminfo(const char *buf, kv_fn fn, void *arg)
{
	const char *p, *key;
	size_t keylen;
	int64_t v;
	int n = 0;

	for (p = buf; *p != '\0'; p = next_line(p)) {
		key = p;
		while (*p != ':' && !is_eol(*p))
			p++;
		if (*p != ':')
			continue;
		keylen = (size_t)(p - key);
		p = skip_blanks(p + 1);
		if (keylen == 0 || parse_number(&p, &v) != 0)
			continue;
		fn(arg, key, keylen, v);
		n++;
	}
	return n;
}

/*
 * The next "CPU<n>" token of the /proc/interrupts header at *pp, or -1
 * at the end of the header line.  Returns -2 on a token of another shape.
 */
static int
header_next_cpu(const char **pp)
{
	const char *p = skip_blanks(*pp);
	int64_t cpu;

	if (is_eol(*p))
		return -1;
	if (strncmp(p, "CPU", 3) != 0)
		return -2;
	p += 3;
	if (parse_field(&p, &cpu) != 0 || cpu < 0 || cpu > INT32_MAX)
		return -2;
	*pp = p;
	return (int)cpu;
}

static int
all_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_digit(s[i]))
			return 0;
	return len > 0;
}

int
procfs_parse_interrupts(const char *buf, irq_fn fn, void *arg)
{
	const char *p, *hp, *name;
	size_t namelen;
	int64_t v, first = 0;
	int ncols = 0, col, cpu, first_cpu = -1;

	/*
	 * show_interrupts() prints one "CPU%d" per online CPU: after a CPU
	 * went offline the columns are "CPU0 CPU1 CPU3", so a column is
	 * named by the header, never by its position.
	 */
	p = buf;
	while ((cpu = header_next_cpu(&p)) >= 0)
		ncols++;
	if (cpu == -2 || ncols == 0)
		return -EINVAL;

	for (p = next_line(p); *p != '\0'; p = next_line(p)) {
		p = skip_blanks(p);
		name = p;
		while (*p != ':' && !is_blank(*p) && !is_eol(*p))
			p++;
		if (*p != ':' || p == name)
			continue;
		namelen = (size_t)(p - name);
		if (all_digits(name, namelen)) {
			name = "dev";
			namelen = 3;
		}
		p++;

		/*
		 * Only the first ncols fields are counts; what follows is the
		 * chip and handler text ("IO-APIC 2-edge timer").  The first
		 * value is held back until we know whether the row has one
		 * column (ERR, MIS: global counters, printed without CPUs).
		 */
		hp = buf;
		for (col = 0; col < ncols; col++) {
			p = skip_blanks(p);
			if (parse_field(&p, &v) != 0)
				break;
			cpu = header_next_cpu(&hp);
			if (col == 0) {
				first = v;
				first_cpu = cpu;
				continue;
			}
			if (col == 1)
				fn(arg, name, namelen, first_cpu, first);
			fn(arg, name, namelen, cpu, v);
		}
		if (col != 1)
			continue;
		/*
		 * One value.  With several CPU columns it is a global row.  On
		 * a single-CPU machine a global row is the one without a
		 * description ("ERR:          0").
		 */
		if (ncols == 1 && !is_eol(*skip_blanks(p)))
			fn(arg, name, namelen, first_cpu, first);
		else
			fn(arg, name, namelen, -1, first);
	}
	return ncols;
}

struct irq_total {
	const char *name;
	size_t namelen;
	int64_t sum;
	int found;
};

static void
irq_total_add(void *arg, const char *name, size_t namelen, int cpu,
    int64_t value)
{
	struct irq_total *t = arg;

	if (namelen != t->namelen || memcmp(name, t->name, namelen) != 0)
		return;
	t->sum += value;
	t->found = 1;
}

int64_t
procfs_irq_total(const char *buf, const char *name)
{
	struct irq_total t = { name, strlen(name), 0, 0 };

	if (procfs_parse_interrupts(buf, irq_total_add, &t) < 0 || !t.found)
		return -1;
	return t.sum;
}

/* "some avg10=0.00 avg60=0.00 avg300=0.00 total=0", fields in any order. */
static int
parse_psi_line(const char *p, struct psi_line *line)
{
	const char *key;
	size_t keylen;
	int64_t v;
	int seen = 0;

	memset(line, 0, sizeof *line);
	for (;;) {
		p = skip_blanks(p);
		if (is_eol(*p))
			break;
		key = p;
		while (*p != '=' && !is_blank(*p) && !is_eol(*p))
			p++;
		if (*p != '=')
			return -EINVAL;
		keylen = (size_t)(p - key);
		p++;
		if (keylen == 5 && memcmp(key, "total", 5) == 0) {
			if (parse_number(&p, &v) != 0)
				return -EINVAL;
			line->total_us = v;
			seen |= 1;
			continue;
		}
		if (parse_fixed2(&p, &v) != 0)
			return -EINVAL;
		if (keylen == 5 && memcmp(key, "avg10", 5) == 0)
			line->avg10_x100 = v;
		else if (keylen == 5 && memcmp(key, "avg60", 5) == 0)
			line->avg60_x100 = v;
		else if (keylen == 6 && memcmp(key, "avg300", 6) == 0)
			line->avg300_x100 = v;
		/* Unknown keys from a future kernel are skipped. */
	}
	if (!(seen & 1))
		return -EINVAL;
	line->present = 1;
	return 0;
}

/*
 * Returns the number of lines parsed (1 or 2: the "full" line is
 * absent before 5.13 for the cpu resource and on some configurations),
 * or -EINVAL.
 */
int
procfs_parse_psi(const char *buf, struct psi_line *some,
    struct psi_line *full)
{
	const char *p;
	int n = 0;

	memset(some, 0, sizeof *some);
	memset(full, 0, sizeof *full);
	for (p = buf; *p != '\0'; p = next_line(p)) {
		if (strncmp(p, "some ", 5) == 0) {
			if (parse_psi_line(p + 5, some) != 0)
				return -EINVAL;
			n++;
		} else if (strncmp(p, "full ", 5) == 0) {
			if (parse_psi_line(p + 5, full) != 0)
				return -EINVAL;
			n++;
		}
	}
	return n > 0 ? n : -EINVAL;
}

enum percpu_section {
	PERCPU_NONE,
	PERCPU_ALLOC_INFO,
	PERCPU_GLOBAL,
	PERCPU_CHUNKS,
};

/*
 * A chunk header, as percpu_stats_show() (mm/percpu-stats.c) prints it:
 * the reserved and first chunks are named, the to_depopulate and
 * sidelined slots (5.14, pcpu_reclaim_populated()) are labelled, every
 * other chunk is plain "Chunk:".
 */
static void
percpu_count_chunk(const char *p, struct percpu_stats *out)
{
	out->chunks_total++;
	if (strncmp(p, ": <- First Chunk", 16) == 0)
		out->chunks_first++;
	else if (strncmp(p, ": <- Reserved Chunk", 19) == 0)
		out->chunks_reserved++;
	else if (strncmp(p, " (to_depopulate)", 16) == 0)
		out->chunks_to_depopulate++;
	else if (strncmp(p, " (sidelined)", 12) == 0)
		out->chunks_sidelined++;
	else if (*p == ':' && is_eol(*skip_blanks(p + 1)))
		out->chunks_plain++;
	/* Any other label, from a later kernel, only counts in the total. */
}

/*
 * Returns the number of Global Stats fields, or -EINVAL when the buffer
 * has no "Global Stats:" section.  global_fn and out may be NULL.
 */
int
procfs_parse_percpu_stats(const char *buf, kv_fn global_fn, void *arg,
    struct percpu_stats *out)
{
	struct percpu_stats dummy;
	enum percpu_section section = PERCPU_NONE;
	const char *p, *key, *end;
	size_t keylen;
	int64_t v;
	int n = 0, seen_global = 0;

	if (out == NULL)
		out = &dummy;
	memset(out, 0, sizeof *out);
	for (p = buf; *p != '\0'; p = next_line(p)) {
		if (strncmp(p, "Allocation Info:", 16) == 0) {
			section = PERCPU_ALLOC_INFO;
			continue;
		}
		if (strncmp(p, "Global Stats:", 13) == 0) {
			section = PERCPU_GLOBAL;
			seen_global = 1;
			continue;
		}
		if (strncmp(p, "Per Chunk Stats:", 16) == 0) {
			section = PERCPU_CHUNKS;
			continue;
		}
		if (section == PERCPU_CHUNKS && strncmp(p, "Chunk", 5) == 0) {
			percpu_count_chunk(p + 5, out);
			continue;
		}
		if (section != PERCPU_GLOBAL || !is_blank(*p))
			continue;

		/* "  %-20s: %12lld" */
		key = skip_blanks(p);
		end = key;
		while (*end != ':' && !is_eol(*end))
			end++;
		if (*end != ':')
			continue;
		p = skip_blanks(end + 1);
		while (end > key && is_blank(end[-1]))
			end--;
		keylen = (size_t)(end - key);
		if (keylen == 0 || keylen > PERCPU_KEY_MAX ||
		    parse_number(&p, &v) != 0)
			continue;
		if (global_fn != NULL)
			global_fn(arg, key, keylen, v);
		n++;
	}
	return seen_global ? n : -EINVAL;
}

/*
 * A CPU list as the kernel prints it (bitmap_print_to_pagebuf(), "%*pbl"):
 * "0-1,3", possibly "" or "\n" for an empty mask.  fn gets each range
 * in order and may stop the walk by returning non-zero.  Returns 0,
 * fn's value, or -EINVAL when the list is malformed.
 */
static int
cpulist_walk(const char *buf, int (*fn)(void *, int64_t, int64_t),
    void *arg)
{
	const char *p = skip_blanks(buf);
	int64_t lo, hi;
	int r;

	/* An empty list is valid: /sys/devices/system/cpu/offline is "\n". */
	if (*p == '\n' || *p == '\0')
		return 0;
	for (;;) {
		if (parse_number(&p, &lo) != 0 || lo < 0)
			return -EINVAL;
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_number(&p, &hi) != 0 || hi < lo)
				return -EINVAL;
		}
		if ((r = fn(arg, lo, hi)) != 0)
			return r;
		if (*p != ',')
			break;
		p++;
	}
	while (is_blank(*p) || *p == '\n')
		p++;
	return *p == '\0' ? 0 : -EINVAL;
}

struct cpu_bitmap {
	uint64_t *bits;
	int nbits;
	int set;
};

static int
bitmap_add_range(void *arg, int64_t lo, int64_t hi)
{
	struct cpu_bitmap *b = arg;
	int64_t cpu;

	if (hi >= b->nbits)
		return -ERANGE;
	for (cpu = lo; cpu <= hi; cpu++) {
		if (!(b->bits[cpu / 64] & (UINT64_C(1) << (cpu % 64))))
			b->set++;
		b->bits[cpu / 64] |= UINT64_C(1) << (cpu % 64);
	}
	return 0;
}

int
procfs_parse_cpulist(const char *buf, uint64_t *bits, int nbits)
{
	struct cpu_bitmap b = { bits, nbits, 0 };
	int r;

	if (nbits < 0)
		return -EINVAL;
	memset(bits, 0, ((size_t)nbits + 63) / 64 * sizeof *bits);
	if ((r = cpulist_walk(buf, bitmap_add_range, &b)) != 0)
		return r;
	return b.set;
}

static int
count_range(void *arg, int64_t lo, int64_t hi)
{
	int64_t *n = arg;

	/* No CPU limit here, only the int the count is returned in. */
	if (hi - lo >= INT32_MAX - *n)
		return -EINVAL;
	*n += hi - lo + 1;
	return 0;
}

int
procfs_cpulist_count(const char *buf)
{
	int64_t n = 0;
	int r;

	if ((r = cpulist_walk(buf, count_range, &n)) != 0)
		return r;
	return (int)n;
}

char *
sysfs_bracketed(const char *text)
{
	const char *left, *right;

	if (text == NULL || (left = strchr(text, '[')) == NULL)
		return NULL;
	if ((right = strchr(left + 1, ']')) == NULL)
		return NULL;
	return xstrndup(left + 1, (size_t)(right - left - 1));
}
