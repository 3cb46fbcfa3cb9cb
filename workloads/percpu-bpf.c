/*
 * percpu-bpf.c - the per-CPU check of percpu-churn's BPF values: a few
 * dozen BPF instructions assembled here (no libbpf, no clang), loaded
 * and run with bpf(2).
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/rng.h"
#include "common/util.h"
#include "workloads/percpu-bpf.h"

/* The verifier walks every iteration of the inline loops and keeps one
 * pending branch per word compared, at most 8192
 * (BPF_COMPLEXITY_LIMIT_JMP_SEQ): one run compares at most this many. */
#define WORDS_PER_RUN    4096
#define INSN_MAX         160
#define LABEL_MAX        8
#define LOG_SIZE         (64 << 10)
#define RET_WRONG_CPU    0xffffffffu
#define RET_NO_MAP       0xfffffffeu

/* The context the test run hands the program (raw_tp arguments). */
enum { CTX_SLOT, CTX_SERIAL, CTX_KEY0, CTX_CPU, CTX_XOR, CTX_WORDS = 12 };

/* The program's stack, from the frame pointer. */
enum {
	FP_SLOT = -4,               /* u32 outer key */
	FP_KEY = -8,                /* u32 inner key */
	FP_SERIAL = -16,
	FP_XOR = -24,
	FP_CPU = -32,               /* bpf_get_smp_processor_id() */
	FP_INNER = -40,             /* the inner map, spilled */
	FP_I = -48,                 /* keys done */
	FP_BAD_KEY = -56,
	FP_BAD_WORD = -64,
	FP_BAD_WANT = -72,
	FP_BAD_GOT = -80,
	FP_ZERO = -84,              /* u32 0: the result map's key */
};

/* The result map's value, as the program stores it. */
struct result_value {
	uint64_t key, word, want, got, bad_words;
};

/* ---- a small assembler: struct bpf_insn with labels ------------------ */

struct bpf_asm {
	struct bpf_insn insn[INSN_MAX];
	int n;
	int label[LABEL_MAX];       /* instruction index, -1 unset */
	int jump_label[INSN_MAX];   /* label a jump goes to, -1 none */
	int overflow;
};

static void
emit(struct bpf_asm *a, uint8_t code, int dst, int src, int16_t off,
    int32_t imm)
{
	struct bpf_insn *i;

	if (a->n >= INSN_MAX) {
		a->overflow = 1;
		return;
	}
	a->jump_label[a->n] = -1;
	i = &a->insn[a->n++];
	memset(i, 0, sizeof *i);
	i->code = code;
	i->dst_reg = (uint8_t)dst;
	i->src_reg = (uint8_t)src;
	i->off = off;
	i->imm = imm;
}

static void
alu_imm(struct bpf_asm *a, int op, int dst, int32_t imm)
{
	emit(a, BPF_ALU64 | op | BPF_K, dst, 0, 0, imm);
}

static void
alu_reg(struct bpf_asm *a, int op, int dst, int src)
{
	emit(a, BPF_ALU64 | op | BPF_X, dst, src, 0, 0);
}

static void
load(struct bpf_asm *a, int size, int dst, int src, int16_t off)
{
	emit(a, BPF_LDX | size | BPF_MEM, dst, src, off, 0);
}

static void
store(struct bpf_asm *a, int size, int dst, int16_t off, int src)
{
	emit(a, BPF_STX | size | BPF_MEM, dst, src, off, 0);
}

/* The two-slot 64-bit immediate; src BPF_PSEUDO_MAP_FD makes it a map. */
static void
load_imm64(struct bpf_asm *a, int dst, int src, uint64_t imm)
{
	emit(a, BPF_LD | BPF_DW | BPF_IMM, dst, src, 0, (int32_t)imm);
	emit(a, 0, 0, 0, 0, (int32_t)(imm >> 32));
}

static void
call(struct bpf_asm *a, int helper)
{
	emit(a, BPF_JMP | BPF_CALL, 0, 0, 0, helper);
}

static void
jump_imm(struct bpf_asm *a, int op, int dst, int32_t imm, int label)
{
	emit(a, BPF_JMP | op | BPF_K, dst, 0, 0, imm);
	if (!a->overflow)
		a->jump_label[a->n - 1] = label;
}

static void
jump_reg(struct bpf_asm *a, int op, int dst, int src, int label)
{
	emit(a, BPF_JMP | op | BPF_X, dst, src, 0, 0);
	if (!a->overflow)
		a->jump_label[a->n - 1] = label;
}

static void
place(struct bpf_asm *a, int label)
{
	a->label[label] = a->n;
}

static void
ret_imm(struct bpf_asm *a, int32_t imm)
{
	emit(a, BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, imm);
	emit(a, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* Jump offsets count from the next instruction. */
static int
resolve(struct bpf_asm *a)
{
	int i, to;

	if (a->overflow)
		return -1;
	for (i = 0; i < a->n; i++) {
		if (a->jump_label[i] < 0)
			continue;
		if ((to = a->label[a->jump_label[i]]) < 0)
			return -1;
		a->insn[i].off = (int16_t)(to - (i + 1));
	}
	return 0;
}

/* ---- the program ------------------------------------------------------ */

enum { L_KEY, L_WORD, L_NEXT, L_DONE, L_RET, L_WRONG_CPU, L_NO_MAP };

/* x = rng_mix64(x) in r7, r1 scratch (common/rng.h). */
static void
emit_mix64(struct bpf_asm *a)
{
	static const struct { int shift; uint64_t mul; } step[] = {
		{ 30, UINT64_C(0xbf58476d1ce4e5b9) },
		{ 27, UINT64_C(0x94d049bb133111eb) },
		{ 31, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof step / sizeof step[0]; i++) {
		alu_reg(a, BPF_MOV, BPF_REG_1, BPF_REG_7);
		alu_imm(a, BPF_RSH, BPF_REG_1, step[i].shift);
		alu_reg(a, BPF_XOR, BPF_REG_7, BPF_REG_1);
		if (step[i].mul == 0)
			break;
		load_imm64(a, BPF_REG_1, 0, step[i].mul);
		alu_reg(a, BPF_MUL, BPF_REG_7, BPF_REG_1);
	}
}

/* Read the context into the stack; the outer lookup. */
static void
emit_prologue(struct bpf_asm *a, int outer_fd)
{
	static const struct { int ctx, fp, size; } arg[] = {
		{ CTX_SLOT, FP_SLOT, BPF_W }, { CTX_SERIAL, FP_SERIAL, BPF_DW },
		{ CTX_KEY0, FP_KEY, BPF_W }, { CTX_XOR, FP_XOR, BPF_DW },
	};
	static const int zero[] = { FP_I, FP_BAD_KEY, FP_BAD_WORD,
	    FP_BAD_WANT, FP_BAD_GOT };
	size_t i;

	alu_reg(a, BPF_MOV, BPF_REG_6, BPF_REG_1);
	call(a, BPF_FUNC_get_smp_processor_id);
	store(a, BPF_DW, BPF_REG_10, FP_CPU, BPF_REG_0);
	/* Proof that the run is on the CPU it was sent to. */
	load(a, BPF_DW, BPF_REG_1, BPF_REG_6, CTX_CPU * 8);
	jump_reg(a, BPF_JNE, BPF_REG_0, BPF_REG_1, L_WRONG_CPU);
	for (i = 0; i < sizeof arg / sizeof arg[0]; i++) {
		load(a, BPF_DW, BPF_REG_1, BPF_REG_6, (int16_t)(arg[i].ctx * 8));
		store(a, arg[i].size, BPF_REG_10, (int16_t)arg[i].fp,
		    BPF_REG_1);
	}
	alu_imm(a, BPF_MOV, BPF_REG_1, 0);
	for (i = 0; i < sizeof zero / sizeof zero[0]; i++)
		store(a, BPF_DW, BPF_REG_10, (int16_t)zero[i], BPF_REG_1);
	store(a, BPF_W, BPF_REG_10, FP_ZERO, BPF_REG_1);
	alu_imm(a, BPF_MOV, BPF_REG_9, 0);

	load_imm64(a, BPF_REG_1, BPF_PSEUDO_MAP_FD, (uint32_t)outer_fd);
	alu_reg(a, BPF_MOV, BPF_REG_2, BPF_REG_10);
	alu_imm(a, BPF_ADD, BPF_REG_2, FP_SLOT);
	call(a, BPF_FUNC_map_lookup_elem);
	jump_imm(a, BPF_JEQ, BPF_REG_0, 0, L_NO_MAP);
	store(a, BPF_DW, BPF_REG_10, FP_INNER, BPF_REG_0);
}

/*
 * r6 this CPU's value of the key, r7 the expected word, r8 the word,
 * r9 words that differ.  No branch depends on r9: a known count would
 * be tracked precisely and each iteration's states would multiply.
 */
static void
emit_key_loop(struct bpf_asm *a, int words, int keys)
{
	place(a, L_KEY);
	load(a, BPF_DW, BPF_REG_1, BPF_REG_10, FP_INNER);
	alu_reg(a, BPF_MOV, BPF_REG_2, BPF_REG_10);
	alu_imm(a, BPF_ADD, BPF_REG_2, FP_KEY);
	call(a, BPF_FUNC_map_lookup_elem);
	jump_imm(a, BPF_JEQ, BPF_REG_0, 0, L_DONE);    /* past the last key */
	alu_reg(a, BPF_MOV, BPF_REG_6, BPF_REG_0);

	/* pattern_base(serial, key, cpu) ^ xor */
	load(a, BPF_DW, BPF_REG_7, BPF_REG_10, FP_SERIAL);
	load_imm64(a, BPF_REG_1, 0, RNG_GOLDEN);
	alu_reg(a, BPF_MUL, BPF_REG_7, BPF_REG_1);
	load(a, BPF_W, BPF_REG_1, BPF_REG_10, FP_KEY);
	alu_imm(a, BPF_LSH, BPF_REG_1, 24);
	alu_reg(a, BPF_XOR, BPF_REG_7, BPF_REG_1);
	load(a, BPF_DW, BPF_REG_1, BPF_REG_10, FP_CPU);
	alu_reg(a, BPF_XOR, BPF_REG_7, BPF_REG_1);
	emit_mix64(a);
	load(a, BPF_DW, BPF_REG_1, BPF_REG_10, FP_XOR);
	alu_reg(a, BPF_XOR, BPF_REG_7, BPF_REG_1);
	alu_imm(a, BPF_MOV, BPF_REG_8, 0);

	place(a, L_WORD);
	load(a, BPF_DW, BPF_REG_1, BPF_REG_6, 0);
	jump_reg(a, BPF_JEQ, BPF_REG_1, BPF_REG_7, L_NEXT);
	alu_imm(a, BPF_ADD, BPF_REG_9, 1);
	load(a, BPF_W, BPF_REG_2, BPF_REG_10, FP_KEY);
	store(a, BPF_DW, BPF_REG_10, FP_BAD_KEY, BPF_REG_2);
	store(a, BPF_DW, BPF_REG_10, FP_BAD_WORD, BPF_REG_8);
	store(a, BPF_DW, BPF_REG_10, FP_BAD_WANT, BPF_REG_7);
	store(a, BPF_DW, BPF_REG_10, FP_BAD_GOT, BPF_REG_1);
	place(a, L_NEXT);
	load_imm64(a, BPF_REG_1, 0, RNG_GOLDEN);
	alu_reg(a, BPF_ADD, BPF_REG_7, BPF_REG_1);
	alu_imm(a, BPF_ADD, BPF_REG_6, 8);
	alu_imm(a, BPF_ADD, BPF_REG_8, 1);
	jump_imm(a, BPF_JLT, BPF_REG_8, words, L_WORD);

	load(a, BPF_W, BPF_REG_1, BPF_REG_10, FP_KEY);
	alu_imm(a, BPF_ADD, BPF_REG_1, 1);
	store(a, BPF_W, BPF_REG_10, FP_KEY, BPF_REG_1);
	load(a, BPF_DW, BPF_REG_1, BPF_REG_10, FP_I);
	alu_imm(a, BPF_ADD, BPF_REG_1, 1);
	store(a, BPF_DW, BPF_REG_10, FP_I, BPF_REG_1);
	jump_imm(a, BPF_JLT, BPF_REG_1, keys, L_KEY);
}

/* The result map gets the count and the last bad word; r0 = count. */
static void
emit_epilogue(struct bpf_asm *a, int result_fd)
{
	static const int from[] = { FP_BAD_KEY, FP_BAD_WORD, FP_BAD_WANT,
	    FP_BAD_GOT };
	size_t i;

	place(a, L_DONE);
	load_imm64(a, BPF_REG_1, BPF_PSEUDO_MAP_FD, (uint32_t)result_fd);
	alu_reg(a, BPF_MOV, BPF_REG_2, BPF_REG_10);
	alu_imm(a, BPF_ADD, BPF_REG_2, FP_ZERO);
	call(a, BPF_FUNC_map_lookup_elem);
	jump_imm(a, BPF_JEQ, BPF_REG_0, 0, L_RET);
	for (i = 0; i < sizeof from / sizeof from[0]; i++) {
		load(a, BPF_DW, BPF_REG_1, BPF_REG_10, (int16_t)from[i]);
		store(a, BPF_DW, BPF_REG_0, (int16_t)(i * 8), BPF_REG_1);
	}
	store(a, BPF_DW, BPF_REG_0, offsetof(struct result_value, bad_words),
	    BPF_REG_9);
	place(a, L_RET);
	alu_reg(a, BPF_MOV, BPF_REG_0, BPF_REG_9);
	emit(a, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	place(a, L_WRONG_CPU);
	ret_imm(a, (int32_t)RET_WRONG_CPU);
	place(a, L_NO_MAP);
	ret_imm(a, (int32_t)RET_NO_MAP);
}

/* ---- bpf(2) ----------------------------------------------------------- */

static int
sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof *attr);
}

static int
map_create(int type, uint32_t value_size, uint32_t entries, int inner_fd,
    const char *name)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof attr);
	attr.map_type = (uint32_t)type;
	attr.key_size = sizeof(uint32_t);
	attr.value_size = value_size;
	attr.max_entries = entries;
	attr.inner_map_fd = inner_fd >= 0 ? (uint32_t)inner_fd : 0;
	snprintf(attr.map_name, sizeof attr.map_name, "%s", name);
	return sys_bpf(BPF_MAP_CREATE, &attr);
}

/* The verifier's last complete line, for the cause. */
static const char *
log_tail(char *log)
{
	char *end = log + strlen(log), *p;

	while (end > log && end[-1] == '\n')
		*--end = '\0';
	p = strrchr(log, '\n');
	return p != NULL ? p + 1 : log;
}

static int
prog_load(struct percpu_bpf *pb, const struct bpf_asm *a, char **cause)
{
	union bpf_attr attr;
	char *log = NULL;
	int fd, r;

	memset(&attr, 0, sizeof attr);
	attr.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT;
	attr.insns = (uint64_t)(uintptr_t)a->insn;
	attr.insn_cnt = (uint32_t)a->n;
	/* No GPL-only helper is called; the kernel still wants a name. */
	attr.license = (uint64_t)(uintptr_t)"GPL";
	snprintf(attr.prog_name, sizeof attr.prog_name, "mmstorm_pcpuchk");
	if ((fd = sys_bpf(BPF_PROG_LOAD, &attr)) >= 0) {
		pb->prog_fd = fd;
		return 0;
	}
	r = -errno;
	/* Again with the verifier's log, to say why. */
	log = xcalloc(1, LOG_SIZE);
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = LOG_SIZE;
	attr.log_level = 1;
	if ((fd = sys_bpf(BPF_PROG_LOAD, &attr)) >= 0) {
		pb->prog_fd = fd;
		r = 0;
		goto out;
	}
	r = set_cause(cause, -r, "cannot load the BPF check program: %s%s%s",
	    strerror(-r), *log ? ": verifier: " : "", log_tail(log));
out:
	free(log);
	return r;
}

int
percpu_bpf_open(struct percpu_bpf *pb, size_t value_size, int entries,
    int nslots, char **cause)
{
	struct bpf_asm *a = xcalloc(1, sizeof *a);
	int words = (int)(value_size / 8), keys, r, i;

	memset(pb, 0, sizeof *pb);
	pb->outer_fd = pb->result_fd = pb->prog_fd = pb->placeholder_fd = -1;
	pb->nslots = nslots;
	pb->entries = entries;
	keys = WORDS_PER_RUN / (words > 0 ? words : 1);
	pb->keys_per_run = keys < 1 ? 1 : keys > entries ? entries : keys;
	/* The outer map's maps must look like this one. */
	if ((pb->placeholder_fd = map_create(BPF_MAP_TYPE_PERCPU_ARRAY,
	    (uint32_t)value_size, (uint32_t)entries, -1, "mmstorm_tmpl")) < 0 ||
	    (pb->outer_fd = map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS,
	    sizeof(uint32_t), (uint32_t)nslots, pb->placeholder_fd,
	    "mmstorm_slots")) < 0 ||
	    (pb->result_fd = map_create(BPF_MAP_TYPE_ARRAY,
	    sizeof(struct result_value), 1, -1, "mmstorm_result")) < 0) {
		r = set_cause(cause, errno, "cannot create the BPF check "
		    "maps: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < LABEL_MAX; i++)
		a->label[i] = -1;
	emit_prologue(a, pb->outer_fd);
	emit_key_loop(a, words, pb->keys_per_run);
	emit_epilogue(a, pb->result_fd);
	if (resolve(a) != 0) {
		r = set_cause(cause, EINVAL, "BPF check program: bad jump or "
		    "too long");
		goto out;
	}
	r = prog_load(pb, a, cause);
out:
	if (r != 0)
		percpu_bpf_close(pb);
	free(a);
	return r;
}

void
percpu_bpf_close(struct percpu_bpf *pb)
{
	if (pb->prog_fd >= 0)
		close(pb->prog_fd);
	if (pb->result_fd >= 0)
		close(pb->result_fd);
	if (pb->outer_fd >= 0)
		close(pb->outer_fd);
	if (pb->placeholder_fd >= 0)
		close(pb->placeholder_fd);
	pb->prog_fd = pb->result_fd = pb->outer_fd = pb->placeholder_fd = -1;
}

static int
elem(int cmd, int fd, uint32_t key, const void *value, uint64_t flags)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof attr);
	attr.map_fd = (uint32_t)fd;
	attr.key = (uint64_t)(uintptr_t)&key;
	attr.value = (uint64_t)(uintptr_t)value;
	attr.flags = flags;
	return sys_bpf(cmd, &attr) == 0 ? 0 : -errno;
}

int
percpu_bpf_set(struct percpu_bpf *pb, int slot, int map_fd)
{
	uint32_t v = (uint32_t)map_fd;

	return elem(BPF_MAP_UPDATE_ELEM, pb->outer_fd, (uint32_t)slot, &v,
	    BPF_ANY);
}

int
percpu_bpf_clear(struct percpu_bpf *pb, int slot)
{
	return elem(BPF_MAP_DELETE_ELEM, pb->outer_fd, (uint32_t)slot, NULL,
	    0);
}

static int
batch(int cmd, int fd, const uint32_t *keys, const uint32_t *values, int n)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof attr);
	attr.batch.map_fd = (uint32_t)fd;
	attr.batch.keys = (uint64_t)(uintptr_t)keys;
	attr.batch.values = (uint64_t)(uintptr_t)values;
	attr.batch.count = (uint32_t)n;
	return sys_bpf(cmd, &attr) == 0 ? 0 : -errno;
}

/* No batch for this map type or kernel: EINVAL before 5.6, ENOTSUPP
 * (524) or EOPNOTSUPP without the map's batch operation. */
static int
no_batch(int r)
{
	return r == -EINVAL || r == -524 || r == -EOPNOTSUPP;
}

int
percpu_bpf_set_many(struct percpu_bpf *pb, const uint32_t *slots,
    const uint32_t *map_fds, int n)
{
	int i, r;

	if (n == 0)
		return 0;
	r = batch(BPF_MAP_UPDATE_BATCH, pb->outer_fd, slots, map_fds, n);
	if (!no_batch(r))
		return r;
	for (i = 0, r = 0; i < n && r == 0; i++)
		r = percpu_bpf_set(pb, (int)slots[i], (int)map_fds[i]);
	return r;
}

/* A delete batch still waits once per element (6.18): the slots get
 * the placeholder instead, which drops their maps as well. */
int
percpu_bpf_clear_many(struct percpu_bpf *pb, const uint32_t *slots, int n)
{
	uint32_t *fds = xcalloc((size_t)n + 1, sizeof *fds);
	int i, r;

	for (i = 0; i < n; i++)
		fds[i] = (uint32_t)pb->placeholder_fd;
	r = percpu_bpf_set_many(pb, slots, fds, n);
	free(fds);
	return r;
}

int
percpu_bpf_check(struct percpu_bpf *pb, int slot, uint64_t serial,
    uint32_t key0, int cpu, uint64_t xor, struct percpu_bpf_result *res,
    char **cause)
{
	uint64_t ctx[CTX_WORDS] = { 0 };
	struct result_value rv;
	union bpf_attr attr;
	int r;

	memset(res, 0, sizeof *res);
	ctx[CTX_SLOT] = (uint64_t)slot;
	ctx[CTX_SERIAL] = serial;
	ctx[CTX_KEY0] = key0;
	ctx[CTX_CPU] = (uint64_t)cpu;
	ctx[CTX_XOR] = xor;
	memset(&attr, 0, sizeof attr);
	attr.test.prog_fd = (uint32_t)pb->prog_fd;
	attr.test.ctx_in = (uint64_t)(uintptr_t)ctx;
	attr.test.ctx_size_in = sizeof ctx;
	attr.test.flags = BPF_F_TEST_RUN_ON_CPU;
	attr.test.cpu = (uint32_t)cpu;
	if (sys_bpf(BPF_PROG_TEST_RUN, &attr) != 0) {
		r = -errno;
		return set_cause(cause, -r, "BPF_PROG_TEST_RUN on cpu %d: %s",
		    cpu, strerror(-r));
	}
	if (attr.test.retval == RET_WRONG_CPU)
		return set_cause(cause, EIO, "the BPF check sent to cpu %d "
		    "ran on another cpu", cpu);
	if (attr.test.retval == RET_NO_MAP)
		return set_cause(cause, ENOENT, "slot %d of the BPF check "
		    "holds no map", slot);
	res->bad_words = attr.test.retval;
	if (res->bad_words == 0)
		return 0;
	if ((r = elem(BPF_MAP_LOOKUP_ELEM, pb->result_fd, 0, &rv, 0)) != 0)
		return set_cause(cause, -r, "cannot read the BPF check's "
		    "result: %s", strerror(-r));
	res->key = (uint32_t)rv.key;
	res->word = (uint32_t)rv.word;
	res->want = rv.want;
	res->got = rv.got;
	return 0;
}
