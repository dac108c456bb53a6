// SPDX-License-Identifier: GPL-2.0
/*
 * qemu-pmem-check: a QEMU TCG plugin (API 4, QEMU 9.2/10.0) that models the
 * x86 CPU cache over the NVDIMM regions of a guest and checks that what a
 * guest program was told is durable is durable. For `make check-durability`
 * (scripts/durability.sh, docs/durability.md).
 *
 *   qemu-system-x86_64 -plugin qemu-pmem-check.so,out=FILE,region=BASE:SIZE:BACKING[:SHADOW]...
 *	[,lockfence=0|1][,inflight=SEED:PERCENT][,user=0|1]
 *
 * The model, per 64-byte line of each region (ADR platform: the memory
 * controller is in the persistence domain, the caches are not):
 *   durable   - what memory holds is what survives a power cut
 *   dirty     - a plain store left it in the cache
 *   wc        - a non-temporal store (movnti, movntdq, ...) left it in
 *               the write-combining buffer of one CPU
 *   flushing  - clwb/clflushopt started its write-back on one CPU
 * An sfence or mfence on a CPU makes its wc and flushing lines durable;
 * clflush makes its line durable at once; wbinvd makes every line durable.
 * With lockfence=1 a locked instruction (lock prefix, xchg with memory)
 * counts as a fence too, as the architecture says; by default it does not:
 * the kernel's pmem API asks a driver to fence explicitly (pmem_wmb(),
 * nvdimm_flush()), and an incidental lock elsewhere must not make up for a
 * missing one.
 *
 * The oracle: the guest runs code at two fixed user addresses, the windows
 * of tools/insn-window.c: WRITE_BEGIN before a write is issued, WRITE_ACKED
 * once it was acknowledged (O_DSYNC write, fsync, fdatasync returned). At
 * WRITE_ACKED every line stored to since WRITE_BEGIN must be durable;
 * each one that is not is a violation: "violation" lines in FILE with the
 * physical line, its state, the guest PC of the last store to it and of
 * the last flush it saw (0: none). The guest must keep other writers to
 * the regions quiet meanwhile (docs/durability.md).
 *
 * The power cut: SHADOW (a file as large as the region, a copy of BACKING
 * when QEMU starts) is mapped shared and receives each line's contents the
 * moment the line becomes durable, so after QEMU is SIGKILLed it holds the
 * region as the persistence domain held it: lines not durable at the cut
 * keep their last durable contents. With inflight=SEED:PERCENT, each
 * store to a line also reaches SHADOW with that probability (a hash of
 * SEED, the line and the store's sequence number), as a cache may evict
 * a dirty line or drain a write-combining buffer early: the power cut
 * then keeps a random subset of what was in flight.
 *
 * clwb/clflush* carry a virtual address and touch no memory; the plugin
 * reads the registers of their operand and maps the address to a physical
 * one with the pages it saw stored to in the regions (a flush of a page
 * never stored to through that address is counted as elsewhere).
 *
 * Only kernel code is instrumented unless user=1: then user code too, for
 * a process that stores to the regions through a load/store mapping of
 * them (rpmem's /dev/pmemN.map) and flushes and fences them itself. Its
 * flushes map through the pages its own stores were seen at; user and
 * kernel addresses never overlap, but two processes mapping the regions at
 * the same user address would share one table (the workload runs one).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu-plugin-api10.h"

__attribute__((visibility("default"))) int qemu_plugin_version = QEMU_PLUGIN_API_VERSION;

/* tools/insn-window.c's marks: the window opens before, closes after a write. */
#define WRITE_BEGIN 0x7e5700000000ULL
#define WRITE_ACKED (WRITE_BEGIN + 64)
#define KERNEL_START 0xffff800000000000ULL
#define LINE 64
#define MAX_REGIONS 8
#define MAX_VCPUS 64
#define REPORT_LINES 8

enum state { DURABLE, DIRTY, WC, FLUSHING };
static const char *const state_name[] = { "durable", "dirty", "wc", "flushing" };

enum kind { PLAIN, NT_STORE, CLWB, CLFLUSHOPT, CLFLUSH, SFENCE, MFENCE, LOCKED, WBINVD };

struct line {
	uint64_t store_pc;
	uint64_t store_ret; /* [rsp] at that store: the caller, if in a leaf function */
	uint64_t flush_pc;
	uint64_t store_seq;
	uint8_t state;
	uint8_t cpu;
	uint8_t listed;
	uint8_t touched;
};

struct region {
	uint64_t base, size;
	struct line *lines;
	const uint8_t *mem;
	uint8_t *shadow;
};

/* A decoded instruction: what it is and, for a flush, its memory operand. */
struct insn {
	uint64_t pc;
	uint8_t bytes[16];
	uint8_t len;
	uint8_t kind;
	int8_t base, index; /* register numbers (ModRM order), -1: none */
	uint8_t scale;
	uint8_t seg;	    /* 0, 4 (fs) or 5 (gs) */
	bool riprel;
	int64_t disp;
	struct insn *next;
};

struct ref {
	uint32_t region, line;
};

struct refs {
	struct ref *v;
	size_t n, cap;
};

static struct region regions[MAX_REGIONS];
static unsigned int nregions;
static bool lock_fences;
static bool user_code;
static uint64_t inflight_seed;
static unsigned int inflight_pct;
static FILE *out;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct refs pending[MAX_VCPUS]; /* wc and flushing lines, per CPU */
static struct refs nondurable;	       /* every line not durable (and stale entries) */
static uint64_t store_seq, begin_seq;

static struct {
	uint64_t stores, nt_stores, clwb, clflushopt, clflush, fences, wbinvd, locked;
	uint64_t elsewhere, lines_tracked, acks, violations, violating_acks, begins;
} n;

/* Register handles, in ModRM order (rax rcx rdx rbx rsp rbp rsi rdi r8..r15), then fs/gs base. */
static const char *const reg_names[] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
					 "r8",	"r9",  "r10", "r11", "r12", "r13", "r14", "r15",
					 "fs_base", "gs_base" };
#define NREGS (sizeof(reg_names) / sizeof(reg_names[0]))
static struct qemu_plugin_register *reg_handle[NREGS];
static GByteArray *reg_buf[MAX_VCPUS], *mem_buf[MAX_VCPUS];

/* Virtual page -> physical page, for the pages of the regions stored to. */
#define VMAP_BITS 16
struct vmap {
	uint64_t vpage, ppage;
	struct vmap *next;
};
static struct vmap *vmap[1u << VMAP_BITS];

#define INSN_BITS 18
static struct insn *insns[1u << INSN_BITS];

static unsigned int hash64(uint64_t x, unsigned int bits)
{
	return (unsigned int)((x * 0x9e3779b97f4a7c15ULL) >> (64 - bits));
}

static void push(struct refs *r, uint32_t region, uint32_t line)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 4096;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
		if (!r->v)
			abort();
	}
	r->v[r->n++] = (struct ref){ region, line };
}

static struct region *region_of(uint64_t pa, unsigned int *idx)
{
	unsigned int i;

	for (i = 0; i < nregions; i++)
		if (pa - regions[i].base < regions[i].size) {
			*idx = i;
			return &regions[i];
		}
	return NULL;
}

static void learn_page(uint64_t va, uint64_t pa)
{
	uint64_t vp = va >> 12, pp = pa >> 12;
	unsigned int h = hash64(vp, VMAP_BITS);
	struct vmap *m;

	for (m = vmap[h]; m; m = m->next)
		if (m->vpage == vp) {
			m->ppage = pp;
			return;
		}
	m = malloc(sizeof(*m));
	if (!m)
		abort();
	*m = (struct vmap){ vp, pp, vmap[h] };
	vmap[h] = m;
}

static bool phys_of(uint64_t va, uint64_t *pa)
{
	struct vmap *m;

	for (m = vmap[hash64(va >> 12, VMAP_BITS)]; m; m = m->next)
		if (m->vpage == va >> 12) {
			*pa = (m->ppage << 12) | (va & 0xfff);
			return true;
		}
	return false;
}

/* The line is durable now: the persistence domain holds what memory holds. */
static void make_durable(struct region *r, uint64_t idx)
{
	struct line *l = &r->lines[idx];

	l->state = DURABLE;
	if (r->shadow)
		memcpy(r->shadow + idx * LINE, r->mem + idx * LINE, LINE);
}

static void set_state(unsigned int ri, uint64_t idx, enum state s, unsigned int cpu)
{
	struct line *l = &regions[ri].lines[idx];

	if (!l->listed) {
		l->listed = 1;
		push(&nondurable, ri, (uint32_t)idx);
	}
	l->state = (uint8_t)s;
	l->cpu = (uint8_t)cpu;
	if (s == WC || s == FLUSHING)
		push(&pending[cpu], ri, (uint32_t)idx);
}

/* The instructions that made lines durable: which fence (or flush) a driver relied on. */
#define MAX_DRAINERS 64
static struct drainer {
	uint64_t pc, times, lines;
} drainers[MAX_DRAINERS];

static void count_drainer(uint64_t pc, uint64_t lines)
{
	unsigned int i;

	for (i = 0; i < MAX_DRAINERS && drainers[i].pc && drainers[i].pc != pc; i++)
		;
	if (i == MAX_DRAINERS)
		return;
	drainers[i].pc = pc;
	drainers[i].times++;
	drainers[i].lines += lines;
}

/* sfence/mfence (or a locked instruction with lockfence=1) on CPU cpu. */
static void fence(unsigned int cpu, uint64_t pc)
{
	struct refs *p = &pending[cpu];
	uint64_t drained = 0;
	size_t i;

	n.fences++;
	for (i = 0; i < p->n; i++) {
		struct region *r = &regions[p->v[i].region];
		struct line *l = &r->lines[p->v[i].line];

		if ((l->state == WC || l->state == FLUSHING) && l->cpu == cpu) {
			make_durable(r, p->v[i].line);
			drained++;
		}
	}
	p->n = 0;
	if (drained)
		count_drainer(pc, drained);
}

static void write_back_all(void)
{
	size_t i;

	for (i = 0; i < nondurable.n; i++) {
		struct region *r = &regions[nondurable.v[i].region];

		if (r->lines[nondurable.v[i].line].state != DURABLE)
			make_durable(r, nondurable.v[i].line);
	}
}

static uint64_t read_reg(unsigned int vcpu, unsigned int reg)
{
	GByteArray *b = reg_buf[vcpu];
	uint64_t v = 0;

	if (!b || reg >= NREGS || !reg_handle[reg])
		return 0;
	g_byte_array_set_size(b, 0);
	if (qemu_plugin_read_register(reg_handle[reg], b) > 0)
		memcpy(&v, b->data, b->len < 8 ? b->len : 8);
	return v;
}

/*
 * The 8 bytes at the stack pointer: in a leaf function such as memcpy (no
 * frame) the return address into its caller; elsewhere whatever lies
 * there (the report shows it only if it falls in kernel text).
 */
static uint64_t return_address(unsigned int vcpu)
{
	GByteArray *b = vcpu < MAX_VCPUS ? mem_buf[vcpu] : NULL;
	uint64_t rsp = read_reg(vcpu, 4), v = 0;

	if (!b || rsp < KERNEL_START)
		return 0;
	g_byte_array_set_size(b, 0);
	if (qemu_plugin_read_memory_vaddr(rsp, b, 8) && b->len >= 8)
		memcpy(&v, b->data, 8);
	return v;
}

static void stored(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t va, void *udata)
{
	const struct insn *in = udata;
	struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, va);
	uint64_t pa, first, last, idx, ret;
	unsigned int ri;
	struct region *r;

	if (!hw || qemu_plugin_hwaddr_is_io(hw))
		return;
	pa = qemu_plugin_hwaddr_phys_addr(hw);
	r = region_of(pa, &ri);
	if (!r || vcpu >= MAX_VCPUS)
		return;
	first = (pa - r->base) / LINE;
	last = (pa - r->base + (1u << qemu_plugin_mem_size_shift(info)) - 1) / LINE;
	if (last * LINE >= r->size)
		last = r->size / LINE - 1;
	ret = return_address(vcpu);
	pthread_mutex_lock(&lock);
	learn_page(va, pa);
	n.stores++;
	if (in->kind == NT_STORE)
		n.nt_stores++;
	store_seq++;
	for (idx = first; idx <= last; idx++) {
		struct line *l = &r->lines[idx];

		if (!l->touched) {
			l->touched = 1;
			n.lines_tracked++;
		}
		l->store_pc = in->pc;
		l->store_ret = ret;
		l->store_seq = store_seq;
		if (in->kind == NT_STORE)
			set_state(ri, idx, WC, vcpu);
		else
			set_state(ri, idx, DIRTY, vcpu);
		if (inflight_pct && r->shadow &&
		    hash64(inflight_seed ^ (idx << 20) ^ store_seq, 32) % 100 < inflight_pct)
			memcpy(r->shadow + idx * LINE, r->mem + idx * LINE, LINE);
	}
	pthread_mutex_unlock(&lock);
}

static void flushed(unsigned int vcpu, void *udata)
{
	const struct insn *in = udata;
	uint64_t va = (uint64_t)in->disp, pa, idx;
	unsigned int ri;
	struct region *r;
	struct line *l;

	if (vcpu >= MAX_VCPUS)
		return;
	if (in->base >= 0)
		va += read_reg(vcpu, (unsigned int)in->base);
	if (in->index >= 0)
		va += read_reg(vcpu, (unsigned int)in->index) * in->scale;
	if (in->riprel)
		va += in->pc + in->len;
	if (in->seg)
		va += read_reg(vcpu, 16 + (in->seg == 5));
	pthread_mutex_lock(&lock);
	if (in->kind == CLWB)
		n.clwb++;
	else if (in->kind == CLFLUSHOPT)
		n.clflushopt++;
	else
		n.clflush++;
	if (!phys_of(va, &pa) || !(r = region_of(pa, &ri))) {
		/* A page never stored to in a region: RAM, or a region page not learnt. */
		n.elsewhere++;
		pthread_mutex_unlock(&lock);
		return;
	}
	idx = (pa - r->base) / LINE;
	l = &r->lines[idx];
	l->flush_pc = in->pc;
	if (in->kind == CLFLUSH) {
		if (l->state == DIRTY || l->state == FLUSHING) {
			make_durable(r, idx);
			count_drainer(in->pc, 1);
		}
	} else if (l->state == DIRTY || l->state == FLUSHING) {
		set_state(ri, idx, FLUSHING, vcpu);
	}
	pthread_mutex_unlock(&lock);
}

static void fenced(unsigned int vcpu, void *udata)
{
	const struct insn *in = udata;

	if (vcpu >= MAX_VCPUS)
		return;
	if (in->kind == LOCKED) {
		n.locked++;
		if (!lock_fences)
			return;
	}
	/* Only this vCPU adds to its pending list. */
	if (!pending[vcpu].n && in->kind != WBINVD)
		return;
	pthread_mutex_lock(&lock);
	if (in->kind == WBINVD) {
		n.wbinvd++;
		write_back_all();
	}
	fence(vcpu, in->pc);
	pthread_mutex_unlock(&lock);
}

static void write_begins(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	(void)udata;
	pthread_mutex_lock(&lock);
	n.begins++;
	begin_seq = store_seq + 1;
	pthread_mutex_unlock(&lock);
}

/* The oracle: every line stored to since the write began is durable. */
static void write_acked(unsigned int vcpu, void *udata)
{
	size_t i, kept = 0;
	uint64_t bad = 0;

	(void)udata;
	pthread_mutex_lock(&lock);
	n.acks++;
	for (i = 0; i < nondurable.n; i++) {
		struct ref ref = nondurable.v[i];
		struct region *r = &regions[ref.region];
		struct line *l = &r->lines[ref.line];

		if (l->state == DURABLE) {
			l->listed = 0;
			continue;
		}
		nondurable.v[kept++] = ref;
		if (l->store_seq < begin_seq)
			continue;
		if (bad++ < REPORT_LINES)
			fprintf(out, "violation ack=%llu cpu=%u line=0x%llx state=%s store_pc=0x%llx flush_pc=0x%llx store_ret=0x%llx\n",
				(unsigned long long)n.acks, vcpu,
				(unsigned long long)(r->base + (uint64_t)ref.line * LINE),
				state_name[l->state], (unsigned long long)l->store_pc,
				(unsigned long long)l->flush_pc, (unsigned long long)l->store_ret);
	}
	nondurable.n = kept;
	if (bad) {
		n.violations += bad;
		n.violating_acks++;
		fprintf(out, "ack %llu: %llu lines stored since the write began are not durable\n",
			(unsigned long long)n.acks, (unsigned long long)bad);
	}
	fprintf(out, "summary acks=%llu violating_acks=%llu violations=%llu lines_tracked=%llu stores=%llu nt_stores=%llu clwb=%llu clflushopt=%llu clflush=%llu fences=%llu wbinvd=%llu locked=%llu flushes_elsewhere=%llu lock_fences=%d user=%d\n",
		(unsigned long long)n.acks, (unsigned long long)n.violating_acks,
		(unsigned long long)n.violations, (unsigned long long)n.lines_tracked,
		(unsigned long long)n.stores, (unsigned long long)n.nt_stores,
		(unsigned long long)n.clwb, (unsigned long long)n.clflushopt,
		(unsigned long long)n.clflush, (unsigned long long)n.fences,
		(unsigned long long)n.wbinvd, (unsigned long long)n.locked,
		(unsigned long long)n.elsewhere, lock_fences, user_code);
	fflush(out);
	pthread_mutex_unlock(&lock);
}

/* Decode the x86-64 instructions the model needs; everything else is PLAIN. */
static void decode(struct insn *in)
{
	const uint8_t *b = in->bytes;
	unsigned int i = 0, rex = 0, op, modrm, mod, reg, rm;
	bool lockp = false, opsize = false, rep = false;

	in->kind = PLAIN;
	in->base = in->index = -1;
	for (; i < in->len; i++) {
		if (b[i] == 0xf0)
			lockp = true;
		else if (b[i] == 0x66)
			opsize = true;
		else if (b[i] == 0xf2 || b[i] == 0xf3)
			rep = true;
		else if (b[i] == 0x64 || b[i] == 0x65)
			in->seg = b[i] == 0x64 ? 4 : 5;
		else if (b[i] != 0x2e && b[i] != 0x3e && b[i] != 0x26 && b[i] != 0x36 && b[i] != 0x67)
			break;
	}
	if (i < in->len && (b[i] & 0xf0) == 0x40)
		rex = b[i++];
	if (i >= in->len)
		return;
	op = b[i++];
	if (op == 0x86 || op == 0x87) {
		if (i < in->len && (b[i] >> 6) != 3)
			in->kind = LOCKED;
		return;
	}
	if (op != 0x0f || i >= in->len) {
		if (lockp)
			in->kind = LOCKED;
		return;
	}
	op = b[i++];
	if (op == 0x09) {
		in->kind = WBINVD;
		return;
	}
	if (lockp) {
		in->kind = LOCKED;
		return;
	}
	if (i >= in->len)
		return;
	modrm = b[i++];
	mod = modrm >> 6;
	reg = (modrm >> 3) & 7;
	rm = modrm & 7;
	if (op == 0xc3 || op == 0x2b || op == 0xe7) {
		if (mod != 3)
			in->kind = NT_STORE;
		return;
	}
	if (op != 0xae)
		return;
	if (mod == 3) {
		if (reg == 7 && !opsize && !rep)
			in->kind = SFENCE;
		else if (reg == 6 && !opsize && !rep)
			in->kind = MFENCE;
		return;
	}
	if (rep)
		return;
	if (reg == 7)
		in->kind = opsize ? CLFLUSHOPT : CLFLUSH;
	else if (reg == 6 && opsize)
		in->kind = CLWB;
	else
		return;
	/* The memory operand: ModRM, SIB, displacement. */
	if (rm == 4) {
		unsigned int sib, idx, base;

		if (i >= in->len)
			goto undecodable;
		sib = b[i++];
		idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
		base = (sib & 7) | ((rex & 1) << 3);
		in->scale = (uint8_t)(1u << (sib >> 6));
		if (idx != 4)
			in->index = (int8_t)idx;
		if ((sib & 7) == 5 && mod == 0) {
			int32_t d; /* no base: disp32 */

			if (i + 4 > in->len)
				goto undecodable;
			memcpy(&d, b + i, 4);
			in->disp = d;
			return;
		}
		in->base = (int8_t)base;
	} else if (mod == 0 && rm == 5) {
		int32_t d;

		if (i + 4 > in->len)
			goto undecodable;
		memcpy(&d, b + i, 4);
		in->disp = d;
		in->riprel = true;
		return;
	} else {
		in->base = (int8_t)(rm | ((rex & 1) << 3));
	}
	if (mod == 1) {
		if (i + 1 > in->len)
			goto undecodable;
		in->disp = (int8_t)b[i];
	} else if (mod == 2) {
		int32_t d;

		if (i + 4 > in->len)
			goto undecodable;
		memcpy(&d, b + i, 4);
		in->disp = d;
	}
	return;
undecodable:
	in->kind = PLAIN;
}

static struct insn *insn_of(struct qemu_plugin_insn *qi)
{
	struct insn key = { 0 }, *in;
	unsigned int h;

	key.pc = qemu_plugin_insn_vaddr(qi);
	key.len = (uint8_t)qemu_plugin_insn_data(qi, key.bytes, sizeof(key.bytes));
	h = hash64(key.pc ^ ((uint64_t)key.bytes[0] << 56), INSN_BITS);
	pthread_mutex_lock(&lock);
	for (in = insns[h]; in; in = in->next)
		if (in->pc == key.pc && in->len == key.len && !memcmp(in->bytes, key.bytes, key.len))
			break;
	if (!in) {
		in = malloc(sizeof(*in));
		if (!in)
			abort();
		*in = key;
		decode(in);
		in->next = insns[h];
		insns[h] = in;
	}
	pthread_mutex_unlock(&lock);
	return in;
}

static void translated(uint64_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	size_t i, count = qemu_plugin_tb_n_insns(tb);

	(void)id;
	if (vaddr == WRITE_BEGIN)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, write_begins, QEMU_PLUGIN_CB_NO_REGS, NULL);
	else if (vaddr == WRITE_ACKED)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, write_acked, QEMU_PLUGIN_CB_NO_REGS, NULL);
	if (vaddr < KERNEL_START && !user_code)
		return; /* kernel-only runs: every store callback costs */
	for (i = 0; i < count; i++) {
		struct qemu_plugin_insn *qi = qemu_plugin_tb_get_insn(tb, i);
		struct insn *in = insn_of(qi);

		switch (in->kind) {
		case CLWB:
		case CLFLUSHOPT:
		case CLFLUSH:
			qemu_plugin_register_vcpu_insn_exec_cb(qi, flushed, QEMU_PLUGIN_CB_R_REGS, in);
			break;
		case SFENCE:
		case MFENCE:
		case WBINVD:
		case LOCKED:
			qemu_plugin_register_vcpu_insn_exec_cb(qi, fenced, QEMU_PLUGIN_CB_NO_REGS, in);
			break;
		default:
			break;
		}
		qemu_plugin_register_vcpu_mem_cb(qi, stored, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_MEM_W, in);
	}
}

static void vcpu_init(uint64_t id, unsigned int vcpu)
{
	GArray *regs = qemu_plugin_get_registers();
	unsigned int i, j;

	(void)id;
	if (vcpu < MAX_VCPUS) {
		reg_buf[vcpu] = g_byte_array_new();
		mem_buf[vcpu] = g_byte_array_new();
	}
	if (!regs)
		return;
	pthread_mutex_lock(&lock);
	for (i = 0; i < regs->len; i++) {
		qemu_plugin_reg_descriptor *d = (qemu_plugin_reg_descriptor *)regs->data + i;

		for (j = 0; j < NREGS; j++)
			if (!strcmp(d->name, reg_names[j]))
				reg_handle[j] = d->handle;
	}
	pthread_mutex_unlock(&lock);
	g_array_free(regs, 1);
}

static void finished(uint64_t id, void *udata)
{
	unsigned int i;

	(void)id;
	(void)udata;
	for (i = 0; i < MAX_DRAINERS && drainers[i].pc; i++)
		fprintf(out, "durable_by pc=0x%llx times=%llu lines=%llu\n",
			(unsigned long long)drainers[i].pc, (unsigned long long)drainers[i].times,
			(unsigned long long)drainers[i].lines);
	fprintf(out, "exit acks=%llu violations=%llu lines_tracked=%llu\n",
		(unsigned long long)n.acks, (unsigned long long)n.violations,
		(unsigned long long)n.lines_tracked);
	fclose(out);
}

static void *map_file(const char *path, uint64_t size, bool writable)
{
	int fd = open(path, writable ? O_RDWR : O_RDONLY);
	struct stat st;
	void *p;

	if (fd < 0 || fstat(fd, &st) || (uint64_t)st.st_size < size) {
		fprintf(stderr, "qemu-pmem-check: %s: missing or smaller than %llu bytes\n", path,
			(unsigned long long)size);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	p = mmap(NULL, size, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* region=BASE:SIZE:BACKING[:SHADOW] */
static int add_region(char *spec)
{
	struct region *r = &regions[nregions];
	char *backing, *shadow, *end;

	if (nregions == MAX_REGIONS)
		return -1;
	r->base = strtoull(spec, &end, 0);
	if (*end != ':')
		return -1;
	r->size = strtoull(end + 1, &end, 0);
	if (*end != ':' || !r->size || r->size % LINE)
		return -1;
	backing = end + 1;
	shadow = strchr(backing, ':');
	if (shadow)
		*shadow++ = '\0';
	r->mem = map_file(backing, r->size, false);
	if (!r->mem)
		return -1;
	if (shadow && *shadow) {
		r->shadow = map_file(shadow, r->size, true);
		if (!r->shadow)
			return -1;
	}
	r->lines = mmap(NULL, r->size / LINE * sizeof(struct line), PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->lines == MAP_FAILED)
		return -1;
	nregions++;
	return 0;
}

__attribute__((visibility("default"))) int qemu_plugin_install(uint64_t id,
							       const struct qemu_plugin_info *info,
							       int argc, char **argv)
{
	const char *file = NULL;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4)) {
			file = argv[i] + 4;
		} else if (!strncmp(argv[i], "region=", 7)) {
			if (add_region(argv[i] + 7)) {
				fprintf(stderr, "qemu-pmem-check: bad region %s\n", argv[i] + 7);
				return 1;
			}
		} else if (!strncmp(argv[i], "inflight=", 9)) {
			char *end;

			inflight_seed = strtoull(argv[i] + 9, &end, 0);
			inflight_pct = *end == ':' ? (unsigned int)strtoul(end + 1, NULL, 0) : 0;
		} else if (!strcmp(argv[i], "lockfence=1")) {
			lock_fences = true;
		} else if (!strcmp(argv[i], "user=1") || !strcmp(argv[i], "user=0")) {
			user_code = argv[i][5] == '1'; /* the last one counts */
		} else if (strcmp(argv[i], "lockfence=0")) {
			fprintf(stderr, "qemu-pmem-check: unknown argument %s\n", argv[i]);
			return 1;
		}
	}
	if (!file || !info->system_emulation || !nregions) {
		fprintf(stderr, "qemu-pmem-check: needs system emulation, out=FILE and region=...\n");
		return 1;
	}
	out = fopen(file, "w");
	if (!out) {
		perror(file);
		return 1;
	}
	for (i = 0; i < (int)nregions; i++)
		fprintf(out, "region 0x%llx 0x%llx%s\n", (unsigned long long)regions[i].base,
			(unsigned long long)regions[i].size, regions[i].shadow ? " shadow" : "");
	fflush(out);
	qemu_plugin_register_vcpu_init_cb(id, vcpu_init);
	qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
	qemu_plugin_register_atexit_cb(id, finished, NULL);
	return 0;
}
