/*
 * sampler.c - one pass over the kernel's counters.
 *
 * sampler_init() does everything that allocates: it opens each source,
 * reads it once, names every counter it finds (the dictionary) and sizes
 * one read buffer.  sampler_read() then only does pread() and parses in
 * place.  Files print their keys in the same order every time, so a key
 * is first compared with the slot after the previous one; the hash table
 * is only the fallback for keys that moved.  Keys that appear after init
 * are ignored: a time series needs a fixed set of columns.
 *
 * The sampler keeps the values of the last pass (cur): a key missing from
 * one pass, a source that failed one read, and the interrupt columns of
 * an offline CPU all keep their last value, so an event counter never
 * goes backwards because of how it was read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/procfs.h"
#include "probe/sampler.h"
#include "probe/tracepoint.h"
#include "common/util.h"

#define BUF_MIN (64 * 1024)
#define BUF_MAX (64 * 1024 * 1024)
#define CPUS_MAX 8192           /* x86 NR_CPUS upper bound */
#define NO_SLOT ((size_t)-1)

/* Each kind is its SAMPLE_* bit, so a mask selects sources directly. */
enum source_kind {
	SOURCE_VMSTAT = SAMPLE_VMSTAT,
	SOURCE_MEMINFO = SAMPLE_MEMINFO,
	SOURCE_INTERRUPTS = SAMPLE_INTERRUPTS,
	SOURCE_PSI = SAMPLE_PSI,
	SOURCE_PERCPU = SAMPLE_PERCPU,
	SOURCE_CPU_ONLINE = SAMPLE_CPU_ONLINE,
	SOURCE_NODE_VMSTAT = SAMPLE_NODES,
};

/* Key -> slot for one "key value" source; its slots are consecutive. */
struct keymap {
	size_t first;           /* slot of key 0 */
	size_t count;
	size_t cap;
	const char **keys;      /* point into the counter names */
	size_t *keylens;
	uint32_t *table;        /* open addressing: key index + 1, 0 empty */
	size_t mask;
	size_t next;            /* the key expected next in this pass */
};

struct source {
	enum source_kind kind;
	char *path;
	int fd;
	struct keymap map;
	int64_t min_gap_ns;     /* sampler_throttle(): 0 every pass */
	int64_t read_ns;        /* monotonic time of the last read */
};

struct irq_row {
	const char *name;       /* points into the counter name "irq.NAME" */
	size_t namelen;
	int is_dev;             /* the numbered (device) lines, summed */
	int global;             /* ERR, MIS: one value, no CPU columns */
	size_t sum_slot;        /* irq.NAME */
	size_t cpu_slot;        /* irq.NAME.cpu<N>, one per possible CPU */
};

struct sampler {
	char *root;             /* "" for the live system */

	struct source *sources;
	size_t nsources;

	struct counter_desc *desc;
	size_t ndesc, descap;
	size_t *by_name;        /* desc indexes sorted by name */
	int64_t *cur;           /* values of the last pass */

	char **unavailable;
	size_t nunavailable;

	char *buf;              /* the one read buffer */
	size_t bufsize;

	/* Possible CPUs: cpu_index[cpu] is the CPU's column, or -1. */
	int ncpu_ids;
	int *cpu_index;
	int *cpu_ids;           /* column -> cpu number */
	int npossible;

	struct irq_row *rows;
	size_t nrows, rowcap;
	size_t row_next;
	int64_t *dev_pass;      /* per column: device lines of this pass */
	unsigned char *seen;    /* per column: shown in this pass */

	size_t psi_some, psi_full;      /* avg10, avg60, avg300, total */
	size_t percpu_chunks;           /* the six chunk counts */
	size_t cpu_online;              /* cpu.online, cpu.online_mask */
	uint64_t *online_bits;
	int online_nbits;

	/* Tracepoints: counts[event * npossible + column] from tracepoint.c
	 * into tp_slot[event] (the sum) and the npossible slots after it
	 * when the event is counted per CPU. */
	struct tp_list tp;
	struct tp_counters *tpc;
	int64_t *tp_counts;
	size_t *tp_slot;
};

static void
note_unavailable(struct sampler *s, const char *path, const char *reason)
{
	s->unavailable = xreallocarray(s->unavailable, s->nunavailable + 1,
	    sizeof *s->unavailable);
	s->unavailable[s->nunavailable++] = xasprintf("%s: %s", path, reason);
}

static size_t
add_counter(struct sampler *s, char *name, enum counter_kind kind,
    const char *unit)
{
	struct counter_desc *d;

	if (s->ndesc == s->descap) {
		s->descap = s->descap ? s->descap * 2 : 256;
		s->desc = xreallocarray(s->desc, s->descap, sizeof *s->desc);
	}
	d = &s->desc[s->ndesc];
	d->name = name;
	d->kind = kind;
	d->unit = unit;
	return s->ndesc++;
}

static uint32_t
hash_key(const char *key, size_t len)
{
	uint32_t h = 2166136261u;       /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 16777619u;
	}
	return h;
}

static size_t
keymap_find(const struct keymap *m, const char *key, size_t len)
{
	size_t pos, i;

	if (m->table == NULL)
		return NO_SLOT;
	for (pos = hash_key(key, len) & m->mask; m->table[pos] != 0;
	    pos = (pos + 1) & m->mask) {
		i = m->table[pos] - 1;
		if (m->keylens[i] == len && memcmp(m->keys[i], key, len) == 0)
			return i;
	}
	return NO_SLOT;
}

static void
keymap_insert_table(struct keymap *m, size_t i)
{
	size_t pos = hash_key(m->keys[i], m->keylens[i]) & m->mask;

	while (m->table[pos] != 0)
		pos = (pos + 1) & m->mask;
	m->table[pos] = (uint32_t)(i + 1);
}

/* Appends a key; the table stays at most half full. */
static void
keymap_add(struct keymap *m, const char *key, size_t len)
{
	size_t i, size;

	if (m->count == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->keys = xreallocarray(m->keys, m->cap, sizeof *m->keys);
		m->keylens = xreallocarray(m->keylens, m->cap,
		    sizeof *m->keylens);
	}
	m->keys[m->count] = key;
	m->keylens[m->count] = len;
	m->count++;
	if (m->table == NULL || m->count * 2 > m->mask + 1) {
		size = m->table == NULL ? 128 : (m->mask + 1) * 2;
		free(m->table);
		m->table = xcalloc(size, sizeof *m->table);
		m->mask = size - 1;
		for (i = 0; i < m->count; i++)
			keymap_insert_table(m, i);
	} else
		keymap_insert_table(m, m->count - 1);
}

static void
keymap_free(struct keymap *m)
{
	free(m->keys);
	free(m->keylens);
	free(m->table);
}

/* The index of key in this pass, trying the one after the last first. */
static size_t
keymap_lookup(struct keymap *m, const char *key, size_t len)
{
	size_t i = m->next;

	if (i >= m->count || m->keylens[i] != len ||
	    memcmp(m->keys[i], key, len) != 0) {
		if ((i = keymap_find(m, key, len)) == NO_SLOT)
			return NO_SLOT;
	}
	m->next = i + 1;
	return i;
}

/*
 * Counter kinds.  In vmstat nr_* are levels and the rest are events,
 * with exceptions both ways from include/linux/mmzone.h: NR_DIRTIED,
 * NR_WRITTEN and friends count "since boot" despite the prefix, and
 * WORKINGSET_NODES is a level without it.
 */
static const char *const vmstat_nr_events[] = {
	"nr_dirtied", "nr_written", "nr_throttled_written",
	"nr_vmscan_write", "nr_vmscan_immediate_reclaim",
	"nr_foll_pin_acquired", "nr_foll_pin_released",
};

static enum counter_kind
vmstat_kind(const char *key, const char **unit)
{
	size_t i;

	*unit = "count";
	if (strcmp(key, "pgpgin") == 0 || strcmp(key, "pgpgout") == 0)
		*unit = "kB";
	if (strcmp(key, "workingset_nodes") == 0)
		return COUNTER_GAUGE;
	if (strncmp(key, "nr_", 3) != 0)
		return COUNTER_EVENT;
	/* CONFIG_DEBUG_TLBFLUSH's nr_tlb_* are vm_event_item events. */
	if (strncmp(key, "nr_tlb_", 7) == 0)
		return COUNTER_EVENT;
	for (i = 0; i < ARRAY_SIZE(vmstat_nr_events); i++)
		if (strcmp(key, vmstat_nr_events[i]) == 0)
			return COUNTER_EVENT;
	/* NR_KERNEL_STACK_KB and NR_KERNEL_SCS_KB are kept in kB. */
	if (strcmp(key, "nr_kernel_stack") == 0 ||
	    strcmp(key, "nr_shadow_call_stack") == 0)
		*unit = "kB";
	else
		*unit = "pages";
	return COUNTER_GAUGE;
}

static enum counter_kind
meminfo_kind(const char *key, const char **unit)
{
	*unit = strncmp(key, "HugePages_", 10) == 0 ? "pages" : "kB";
	return COUNTER_GAUGE;
}

static enum counter_kind
percpu_kind(const char *key, const char **unit)
{
	*unit = "count";
	if (strcmp(key, "nr_alloc") == 0 || strcmp(key, "nr_dealloc") == 0)
		return COUNTER_EVENT;
	if (strcmp(key, "min_alloc_size") == 0 ||
	    strcmp(key, "max_alloc_size") == 0)
		*unit = "bytes";
	else if (strcmp(key, "empty_pop_pages") == 0)
		*unit = "pages";
	return COUNTER_GAUGE;
}

/* Learning a "key value" source's keys at init. */
struct learn {
	struct sampler *s;
	struct source *src;
	const char *prefix;
	enum counter_kind (*kind)(const char *, const char **);
};

static void
learn_key(void *arg, const char *key, size_t keylen, int64_t value)
{
	struct learn *l = arg;
	struct keymap *m = &l->src->map;
	enum counter_kind kind;
	const char *unit;
	size_t prefixlen = strlen(l->prefix);
	char *name;

	if (keymap_find(m, key, keylen) != NO_SLOT)
		return;
	name = xasprintf("%s%.*s", l->prefix, (int)keylen, key);
	kind = l->kind(name + prefixlen, &unit);
	add_counter(l->s, name, kind, unit);
	keymap_add(m, name + prefixlen, keylen);
}

/* Storing a "key value" source's values in a pass. */
struct store {
	struct sampler *s;
	struct keymap *map;
};

static void
store_key(void *arg, const char *key, size_t keylen, int64_t value)
{
	struct store *st = arg;
	size_t i;

	if ((i = keymap_lookup(st->map, key, keylen)) != NO_SLOT)
		st->s->cur[st->map->first + i] = value;
}

/*
 * Reads a whole source into s->buf.  seq_file (seq_read_iter()) hands
 * out at most one seq buffer per read, a page for /proc/interrupts, so
 * this loops to EOF; a read at offset 0 makes it restart from the first
 * record.  When a source outgrows the buffer, the buffer doubles: the
 * only allocation sampler_read() can make, and rare (percpu_stats grows
 * with the number of chunks).  Past BUF_MAX the text is cut at its last
 * full line.
 */
static int
source_fill(struct sampler *s, struct source *src, size_t *lenp)
{
	size_t len = 0;
	ssize_t n;
	char *nl;

	for (;;) {
		if (len + 1 >= s->bufsize) {
			if (s->bufsize >= BUF_MAX) {
				s->buf[len] = '\0';
				if ((nl = strrchr(s->buf, '\n')) != NULL)
					len = (size_t)(nl + 1 - s->buf);
				break;
			}
			s->bufsize *= 2;
			s->buf = xrealloc(s->buf, s->bufsize);
		}
		n = pread(src->fd, s->buf + len, s->bufsize - 1 - len,
		    (off_t)len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	s->buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return 0;
}

static char *
root_path(const struct sampler *s, const char *path)
{
	return xasprintf("%s%s", s->root, path);
}

/* Opens and reads a source once; on failure notes it and returns NULL. */
static struct source *
source_open(struct sampler *s, enum source_kind kind, char *path)
{
	struct source *src;
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		note_unavailable(s, path, strerror(errno));
		free(path);
		return NULL;
	}
	s->sources = xreallocarray(s->sources, s->nsources + 1,
	    sizeof *s->sources);
	src = &s->sources[s->nsources];
	memset(src, 0, sizeof *src);
	src->kind = kind;
	src->path = path;
	src->fd = fd;
	if ((r = source_fill(s, src, NULL)) != 0) {
		note_unavailable(s, path, strerror(-r));
		close(fd);
		free(path);
		return NULL;
	}
	s->nsources++;
	return src;
}

/* Drops the source just opened (its text turned out to be unusable). */
static void
source_drop_last(struct sampler *s, const char *reason)
{
	struct source *src = &s->sources[--s->nsources];

	note_unavailable(s, src->path, reason);
	close(src->fd);
	free(src->path);
	keymap_free(&src->map);
}

static void
learn_kv(struct sampler *s, struct source *src, const char *prefix,
    enum counter_kind (*kind)(const char *, const char **))
{
	struct learn l = { s, src, prefix, kind };

	src->map.first = s->ndesc;
	switch (src->kind) {
	case SOURCE_MEMINFO:
		procfs_parse_meminfo(s->buf, learn_key, &l);
		break;
	case SOURCE_PERCPU:
		procfs_parse_percpu_stats(s->buf, learn_key, &l, NULL);
		break;
	default:
		procfs_parse_vmstat(s->buf, learn_key, &l);
		break;
	}
}

static int
bit_test(const uint64_t *bits, int n)
{
	return (bits[n / 64] >> (n % 64)) & 1;
}

static void
bit_set(uint64_t *bits, int n)
{
	bits[n / 64] |= UINT64_C(1) << (n % 64);
}

/* A CPU list file under root ("0-1,3"): CPUs set, or -1. */
static int
read_cpulist(const struct sampler *s, const char *file, uint64_t *bits)
{
	char *path = root_path(s, file), *text = NULL;
	int n = -1;

	if (read_file(path, &text, NULL, NULL) == 0)
		n = procfs_parse_cpulist(text, bits, CPUS_MAX);
	free(text);
	free(path);
	return n;
}

static void
collect_cpu(void *arg, const char *name, size_t namelen, int cpu,
    int64_t value)
{
	if (cpu >= 0 && cpu < CPUS_MAX)
		bit_set(arg, cpu);
}

/*
 * The CPUs that get interrupt columns: cpu_possible_mask from
 * cpu/possible, else cpu/present; else (a captured tree without them)
 * CPUs 0 to the highest one in the interrupts header or the online
 * list, as possible masks are dense in practice.  CPUs shown in the
 * header are always included.
 */
static void
setup_cpus(struct sampler *s, const char *interrupts)
{
	uint64_t *bits, *shown;
	int cpu, max = -1, i;

	bits = xcalloc(CPUS_MAX / 64, sizeof *bits);
	shown = xcalloc(CPUS_MAX / 64, sizeof *shown);
	if (interrupts != NULL)
		procfs_parse_interrupts(interrupts, collect_cpu, shown);
	if (read_cpulist(s, "/sys/devices/system/cpu/possible", bits) <= 0 &&
	    read_cpulist(s, "/sys/devices/system/cpu/present", bits) <= 0) {
		if (read_cpulist(s, "/sys/devices/system/cpu/online", bits) < 0)
			memset(bits, 0, CPUS_MAX / 8);
		for (cpu = 0; cpu < CPUS_MAX; cpu++)
			if (bit_test(bits, cpu) || bit_test(shown, cpu))
				max = cpu;
		for (cpu = 0; cpu <= max; cpu++)
			bit_set(bits, cpu);
	}
	for (i = 0; i < CPUS_MAX / 64; i++)
		bits[i] |= shown[i];
	for (cpu = 0; cpu < CPUS_MAX; cpu++)
		if (bit_test(bits, cpu))
			max = cpu;

	s->ncpu_ids = max + 1;
	s->cpu_index = xcalloc((size_t)s->ncpu_ids + 1, sizeof *s->cpu_index);
	s->cpu_ids = xcalloc((size_t)s->ncpu_ids + 1, sizeof *s->cpu_ids);
	for (cpu = 0; cpu < s->ncpu_ids; cpu++) {
		s->cpu_index[cpu] = -1;
		if (bit_test(bits, cpu)) {
			s->cpu_index[cpu] = s->npossible;
			s->cpu_ids[s->npossible++] = cpu;
		}
	}
	s->dev_pass = xcalloc((size_t)s->npossible + 1, sizeof *s->dev_pass);
	s->seen = xcalloc((size_t)s->npossible + 1, sizeof *s->seen);
	s->online_nbits = s->ncpu_ids > 0 ? (s->ncpu_ids + 63) / 64 * 64 : 64;
	s->online_bits = xcalloc((size_t)s->online_nbits / 64,
	    sizeof *s->online_bits);
	free(shown);
	free(bits);
}

static struct irq_row *
irq_row_find(struct sampler *s, const char *name, size_t namelen)
{
	struct irq_row *row;
	size_t i;

	/* Cells of a row come together and rows keep their order. */
	for (i = s->row_next; i < s->nrows && i < s->row_next + 2; i++) {
		row = &s->rows[i];
		if (row->namelen == namelen &&
		    memcmp(row->name, name, namelen) == 0) {
			s->row_next = i;
			return row;
		}
	}
	for (i = 0; i < s->nrows; i++) {
		row = &s->rows[i];
		if (row->namelen == namelen &&
		    memcmp(row->name, name, namelen) == 0) {
			s->row_next = i;
			return row;
		}
	}
	return NULL;
}

/* Init: one row per distinct name, in file order. */
static void
learn_irq(void *arg, const char *name, size_t namelen, int cpu,
    int64_t value)
{
	struct sampler *s = arg;
	struct irq_row *row;
	size_t i;

	if (irq_row_find(s, name, namelen) != NULL)
		return;
	if (s->nrows == s->rowcap) {
		s->rowcap = s->rowcap ? s->rowcap * 2 : 64;
		s->rows = xreallocarray(s->rows, s->rowcap, sizeof *s->rows);
	}
	row = &s->rows[s->nrows++];
	memset(row, 0, sizeof *row);
	row->sum_slot = add_counter(s, xasprintf("irq.%.*s", (int)namelen,
	    name), COUNTER_EVENT, "count");
	row->name = s->desc[row->sum_slot].name + 4;
	row->namelen = namelen;
	row->is_dev = namelen == 3 && memcmp(name, "dev", 3) == 0;
	row->global = cpu < 0;
	row->cpu_slot = NO_SLOT;
	if (row->global)
		return;
	row->cpu_slot = s->ndesc;
	for (i = 0; i < (size_t)s->npossible; i++)
		add_counter(s, xasprintf("irq.%.*s.cpu%d", (int)namelen, name,
		    s->cpu_ids[i]), COUNTER_EVENT, "count");
}

/* A pass: cells into cur; device lines summed per CPU in dev_pass. */
static void
store_irq(void *arg, const char *name, size_t namelen, int cpu,
    int64_t value)
{
	struct sampler *s = arg;
	struct irq_row *row;
	int col;

	if ((row = irq_row_find(s, name, namelen)) == NULL)
		return;
	if (cpu < 0) {
		if (row->global)
			s->cur[row->sum_slot] = value;
		return;
	}
	if (row->global || cpu >= s->ncpu_ids ||
	    (col = s->cpu_index[cpu]) < 0)
		return;
	s->seen[col] = 1;
	if (row->is_dev)
		s->dev_pass[col] += value;
	else
		s->cur[row->cpu_slot + (size_t)col] = value;
}

static void
pass_interrupts(struct sampler *s)
{
	struct irq_row *row;
	size_t i;
	int col;
	int64_t sum;

	memset(s->dev_pass, 0, (size_t)s->npossible * sizeof *s->dev_pass);
	memset(s->seen, 0, (size_t)s->npossible);
	s->row_next = 0;
	if (procfs_parse_interrupts(s->buf, store_irq, s) < 0)
		return;
	/*
	 * Columns of CPUs that are not shown (offline: show_interrupts()
	 * walks for_each_online_cpu) keep their last value, and the sums
	 * run over every possible CPU, so they never go backwards.  The one
	 * exception is irq.dev: a device interrupt that is freed takes its
	 * line, and its counts, out of the file.
	 */
	for (i = 0; i < s->nrows; i++) {
		row = &s->rows[i];
		if (row->global)
			continue;
		sum = 0;
		for (col = 0; col < s->npossible; col++) {
			if (row->is_dev && s->seen[col])
				s->cur[row->cpu_slot + (size_t)col] =
				    s->dev_pass[col];
			sum += s->cur[row->cpu_slot + (size_t)col];
		}
		s->cur[row->sum_slot] = sum;
	}
}

static void
store_psi(struct sampler *s, size_t slot, const struct psi_line *line)
{
	if (slot == NO_SLOT || !line->present)
		return;
	s->cur[slot] = line->avg10_x100;
	s->cur[slot + 1] = line->avg60_x100;
	s->cur[slot + 2] = line->avg300_x100;
	s->cur[slot + 3] = line->total_us;
}

static size_t
learn_psi_line(struct sampler *s, const char *which)
{
	static const char *const avg[] = { "avg10", "avg60", "avg300" };
	size_t first = s->ndesc, i;

	for (i = 0; i < ARRAY_SIZE(avg); i++)
		add_counter(s, xasprintf("psi.memory.%s.%s", which, avg[i]),
		    COUNTER_GAUGE, "pct_x100");
	add_counter(s, xasprintf("psi.memory.%s.total", which),
	    COUNTER_EVENT, "us");
	return first;
}

static void
pass_source(struct sampler *s, struct source *src)
{
	struct store st = { s, &src->map };
	struct psi_line some, full;
	struct percpu_stats pc;
	size_t c;
	int n;

	src->map.next = 0;
	switch (src->kind) {
	case SOURCE_VMSTAT:
	case SOURCE_NODE_VMSTAT:
		procfs_parse_vmstat(s->buf, store_key, &st);
		break;
	case SOURCE_MEMINFO:
		procfs_parse_meminfo(s->buf, store_key, &st);
		break;
	case SOURCE_INTERRUPTS:
		pass_interrupts(s);
		break;
	case SOURCE_PSI:
		if (procfs_parse_psi(s->buf, &some, &full) < 0)
			break;
		store_psi(s, s->psi_some, &some);
		store_psi(s, s->psi_full, &full);
		break;
	case SOURCE_PERCPU:
		if (procfs_parse_percpu_stats(s->buf, store_key, &st, &pc) < 0)
			break;
		c = s->percpu_chunks;
		s->cur[c] = pc.chunks_first;
		s->cur[c + 1] = pc.chunks_reserved;
		s->cur[c + 2] = pc.chunks_sidelined;
		s->cur[c + 3] = pc.chunks_to_depopulate;
		s->cur[c + 4] = pc.chunks_plain;
		s->cur[c + 5] = pc.chunks_total;
		break;
	case SOURCE_CPU_ONLINE:
		n = procfs_parse_cpulist(s->buf, s->online_bits,
		    s->online_nbits);
		if (n < 0)
			break;
		s->cur[s->cpu_online] = n;
		s->cur[s->cpu_online + 1] =
		    (int64_t)(s->online_bits[0] & INT64_MAX);
		break;
	}
}

static void
open_interrupts(struct sampler *s)
{
	struct source *src;

	src = source_open(s, SOURCE_INTERRUPTS,
	    root_path(s, "/proc/interrupts"));
	setup_cpus(s, src != NULL ? s->buf : NULL);
	if (src == NULL)
		return;
	s->row_next = 0;
	if (procfs_parse_interrupts(s->buf, learn_irq, s) < 0)
		source_drop_last(s, "no CPU header line");
}

/*
 * Absent without CONFIG_PSI; with CONFIG_PSI_DEFAULT_DISABLED and no
 * psi=1 the file is absent or its read fails (EOPNOTSUPP), noted either
 * way by source_open().
 */
static void
open_psi(struct sampler *s)
{
	struct psi_line some, full;

	if (source_open(s, SOURCE_PSI,
	    root_path(s, "/proc/pressure/memory")) == NULL)
		return;
	if (procfs_parse_psi(s->buf, &some, &full) < 0) {
		source_drop_last(s, "not in PSI format");
		return;
	}
	if (some.present)
		s->psi_some = learn_psi_line(s, "some");
	if (full.present)
		s->psi_full = learn_psi_line(s, "full");
}

/*
 * Needs CONFIG_PERCPU_STATS (off in Debian's kernels), debugfs mounted
 * and root; otherwise the file is absent or refused, noted once.
 */
static void
open_percpu(struct sampler *s)
{
	static const char *const chunks[] = {
		/* The order of the slots pass_source() fills. */
		"first", "reserved", "sidelined", "to_depopulate", "plain",
		"total",
	};
	struct source *src;
	size_t i;

	if ((src = source_open(s, SOURCE_PERCPU,
	    root_path(s, "/sys/kernel/debug/percpu_stats"))) == NULL)
		return;
	if (procfs_parse_percpu_stats(s->buf, NULL, NULL, NULL) < 0) {
		source_drop_last(s, "not in percpu_stats format");
		return;
	}
	learn_kv(s, src, "percpu.", percpu_kind);
	s->percpu_chunks = s->ndesc;
	for (i = 0; i < ARRAY_SIZE(chunks); i++)
		add_counter(s, xasprintf("percpu.chunks.%s", chunks[i]),
		    COUNTER_GAUGE, "count");
}

static void
open_nodes(struct sampler *s)
{
	struct dirent *de;
	struct source *src;
	char *dir, *end, *prefix;
	long node, *nodes = NULL;
	size_t nnodes = 0, i, j;
	DIR *d;

	dir = root_path(s, "/sys/devices/system/node");
	if ((d = opendir(dir)) == NULL) {
		/* No CONFIG_NUMA: there is nothing per node to read. */
		note_unavailable(s, dir, strerror(errno));
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "node", 4) != 0)
			continue;
		node = strtol(de->d_name + 4, &end, 10);
		if (end == de->d_name + 4 || *end != '\0' || node < 0)
			continue;
		nodes = xreallocarray(nodes, nnodes + 1, sizeof *nodes);
		for (i = nnodes; i > 0 && nodes[i - 1] > node; i--)
			nodes[i] = nodes[i - 1];
		nodes[i] = node;
		nnodes++;
	}
	closedir(d);
	for (j = 0; j < nnodes; j++) {
		src = source_open(s, SOURCE_NODE_VMSTAT,
		    xasprintf("%s/node%ld/vmstat", dir, nodes[j]));
		if (src == NULL)
			continue;
		prefix = xasprintf("node%ld.", nodes[j]);
		learn_kv(s, src, prefix, vmstat_kind);
		free(prefix);
	}
out:
	free(nodes);
	free(dir);
}

/* The live system only: a captured tree has no perf events to open. */
static void
open_tracepoints(struct sampler *s)
{
	char *cause = NULL;
	size_t i;
	int col;

	if (*s->root != '\0')
		return;
	if (s->cpu_index == NULL)
		setup_cpus(s, NULL);
	tracepoints_probe(NULL, &s->tp);
	if (s->tp.nevents > 0 && tp_counters_open(&s->tpc, &s->tp,
	    s->cpu_ids, s->npossible, &cause) != 0 && s->tp.nevents > 0)
		note_unavailable(s, "tracepoints", cause);
	/* Already "<path>: <reason>". */
	for (i = 0; i < s->tp.nunavailable; i++) {
		s->unavailable = xreallocarray(s->unavailable,
		    s->nunavailable + 1, sizeof *s->unavailable);
		s->unavailable[s->nunavailable++] =
		    xstrdup(s->tp.unavailable[i]);
	}
	free(cause);
	if (s->tpc == NULL)
		return;
	s->tp_counts = xcalloc(s->tp.nevents * (size_t)s->npossible + 1,
	    sizeof *s->tp_counts);
	s->tp_slot = xcalloc(s->tp.nevents, sizeof *s->tp_slot);
	for (i = 0; i < s->tp.nevents; i++) {
		const struct tp_event *e = &s->tp.events[i];

		s->tp_slot[i] = add_counter(s, xasprintf("tp.%s", e->name),
		    COUNTER_EVENT, "count");
		for (col = 0; e->per_cpu && col < s->npossible; col++)
			add_counter(s, xasprintf("tp.%s.cpu%d", e->name,
			    s->cpu_ids[col]), COUNTER_EVENT, "count");
	}
}

static void
pass_tracepoints(struct sampler *s)
{
	size_t i, np = (size_t)s->npossible;
	int64_t sum, *row;
	size_t col;

	tp_counters_read(s->tpc, s->tp_counts);
	for (i = 0; i < s->tp.nevents; i++) {
		row = &s->tp_counts[i * np];
		for (sum = 0, col = 0; col < np; col++) {
			sum += row[col];
			if (s->tp.events[i].per_cpu)
				s->cur[s->tp_slot[i] + 1 + col] = row[col];
		}
		s->cur[s->tp_slot[i]] = sum;
	}
}

static int
compare_names(const void *a, const void *b, void *arg)
{
	const struct counter_desc *desc = arg;

	return strcmp(desc[*(const size_t *)a].name,
	    desc[*(const size_t *)b].name);
}

int
sampler_init(struct sampler **sp, const char *root, char **cause)
{
	return sampler_init_only(sp, root, SAMPLE_ALL, cause);
}

int
sampler_init_only(struct sampler **sp, const char *root, unsigned sources,
    char **cause)
{
	struct sampler *s;
	struct source *src;
	struct stat st;
	size_t i, len, largest = 0;
	int r, err;

	*sp = NULL;
	s = xcalloc(1, sizeof *s);
	if (root == NULL || strcmp(root, "/") == 0)
		s->root = xstrdup("");
	else {
		s->root = xstrdup(root);
		len = strlen(s->root);
		while (len > 1 && s->root[len - 1] == '/')
			s->root[--len] = '\0';
		err = stat(s->root, &st) == -1 ? errno :
		    !S_ISDIR(st.st_mode) ? ENOTDIR : 0;
		if (err != 0) {
			r = set_cause(cause, err, "cannot use '%s' as root: %s",
			    root, strerror(err));
			goto out;
		}
	}
	s->bufsize = BUF_MIN;
	s->buf = xmalloc(s->bufsize);
	s->psi_some = s->psi_full = s->percpu_chunks = NO_SLOT;
	s->cpu_online = NO_SLOT;

	if ((sources & SAMPLE_VMSTAT) && (src = source_open(s, SOURCE_VMSTAT,
	    root_path(s, "/proc/vmstat"))) != NULL)
		learn_kv(s, src, "vmstat.", vmstat_kind);
	if ((sources & SAMPLE_MEMINFO) && (src = source_open(s,
	    SOURCE_MEMINFO, root_path(s, "/proc/meminfo"))) != NULL)
		learn_kv(s, src, "meminfo.", meminfo_kind);
	if (sources & SAMPLE_INTERRUPTS)
		open_interrupts(s);
	if (sources & SAMPLE_PSI)
		open_psi(s);
	if (sources & SAMPLE_PERCPU)
		open_percpu(s);
	if ((sources & SAMPLE_CPU_ONLINE) && (src = source_open(s,
	    SOURCE_CPU_ONLINE,
	    root_path(s, "/sys/devices/system/cpu/online"))) != NULL) {
		s->cpu_online = add_counter(s, xstrdup("cpu.online"),
		    COUNTER_GAUGE, "count");
		add_counter(s, xstrdup("cpu.online_mask"), COUNTER_GAUGE,
		    "mask");
	}
	if (sources & SAMPLE_NODES)
		open_nodes(s);
	if (sources & SAMPLE_TRACEPOINTS)
		open_tracepoints(s);

	if (s->nsources == 0 && s->tpc == NULL) {
		r = set_cause(cause, ENOENT, "no kernel counters readable "
		    "under '%s'", *s->root != '\0' ? s->root : "/");
		goto out;
	}

	/* Twice the largest source leaves room to grow between samples. */
	for (i = 0; i < s->nsources; i++) {
		if (source_fill(s, &s->sources[i], &len) == 0 && len > largest)
			largest = len;
	}
	if (largest * 2 + 1 > s->bufsize) {
		s->bufsize = largest * 2 + 1;
		s->buf = xrealloc(s->buf, s->bufsize);
	}

	s->by_name = xcalloc(s->ndesc + 1, sizeof *s->by_name);
	for (i = 0; i < s->ndesc; i++)
		s->by_name[i] = i;
	qsort_r(s->by_name, s->ndesc, sizeof *s->by_name, compare_names,
	    s->desc);
	s->cur = xcalloc(s->ndesc + 1, sizeof *s->cur);
	if ((r = sampler_read(s, s->cur)) != 0) {
		set_cause(cause, r, "cannot read kernel counters: %s",
		    strerror(-r));
		goto out;
	}
	*sp = s;
	s = NULL;
	r = 0;
out:
	sampler_free(s);
	return r;
}

void
sampler_free(struct sampler *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nsources; i++) {
		close(s->sources[i].fd);
		free(s->sources[i].path);
		keymap_free(&s->sources[i].map);
	}
	free(s->sources);
	for (i = 0; i < s->ndesc; i++)
		free((char *)s->desc[i].name);
	free(s->desc);
	for (i = 0; i < s->nunavailable; i++)
		free(s->unavailable[i]);
	free(s->unavailable);
	free(s->by_name);
	free(s->cur);
	free(s->buf);
	free(s->cpu_index);
	free(s->cpu_ids);
	free(s->rows);
	free(s->dev_pass);
	free(s->seen);
	free(s->online_bits);
	tp_counters_free(s->tpc);
	tp_list_release(&s->tp);
	free(s->tp_counts);
	free(s->tp_slot);
	free(s->root);
	free(s);
}

size_t
sampler_count(const struct sampler *s)
{
	return s->ndesc;
}

const struct counter_desc *
sampler_counter(const struct sampler *s, size_t i)
{
	return i < s->ndesc ? &s->desc[i] : NULL;
}

long
sampler_index(const struct sampler *s, const char *name)
{
	size_t lo = 0, hi = s->ndesc, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(name, s->desc[s->by_name[mid]].name);
		if (c == 0)
			return (long)s->by_name[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static int
read_pass(struct sampler *s, int64_t *values, int all)
{
	size_t i, failed = 0;
	int r, last = 0;

	if (s == NULL || values == NULL)
		return -EINVAL;
	for (i = 0; i < s->nsources; i++) {
		struct source *src = &s->sources[i];

		/* A throttled source keeps its values until it is due. */
		if (src->min_gap_ns > 0) {
			int64_t now = now_mono_ns();

			if (!all && src->read_ns != 0 &&
			    now - src->read_ns < src->min_gap_ns)
				continue;
			src->read_ns = now;
		}
		/* A failed read keeps the source's last values. */
		if ((r = source_fill(s, src, NULL)) != 0) {
			failed++;
			last = r;
			continue;
		}
		pass_source(s, &s->sources[i]);
	}
	if (s->tpc != NULL)
		pass_tracepoints(s);
	if (values != s->cur)
		memcpy(values, s->cur, s->ndesc * sizeof *values);
	return failed > 0 && failed == s->nsources ? last : 0;
}

int
sampler_read(struct sampler *s, int64_t *values)
{
	return read_pass(s, values, 0);
}

int
sampler_read_all(struct sampler *s, int64_t *values)
{
	return read_pass(s, values, 1);
}

void
sampler_throttle(struct sampler *s, unsigned sources, int64_t min_gap_ns)
{
	size_t i;

	for (i = 0; i < s->nsources; i++) {
		if (s->sources[i].kind & sources)
			s->sources[i].min_gap_ns = min_gap_ns;
	}
}

size_t
sampler_unavailable(const struct sampler *s, const char *const **list)
{
	*list = (const char *const *)s->unavailable;
	return s->nunavailable;
}
