// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of tools/qemu-pmem-check.c without QEMU: the instruction
 * decoder on known encodings, and the cache model driven through the
 * plugin's own callbacks with a made-up QEMU (a kernel mapping of
 * everything and a user one of the region at another page offset,
 * registers from an array). Run by scripts/test-pmem-check.sh
 * (`host:pmem-check`); exits non-zero on the first wrong answer.
 */
#include "qemu-pmem-check.c"

#include <stdarg.h>

#define BASE 0x100000000ULL

/* ---- the QEMU side, made up ---- */
struct qemu_plugin_hwaddr {
	uint64_t pa;
};
static struct qemu_plugin_hwaddr fake_hw;
static uint64_t fake_regs[NREGS];

struct qemu_plugin_hwaddr *qemu_plugin_get_hwaddr(qemu_plugin_meminfo_t info, uint64_t vaddr)
{
	(void)info;
	if (vaddr >= KERNEL_START)
		fake_hw.pa = vaddr - 0xffffc90000000000ULL; /* the test's "kernel mapping" */
	else
		fake_hw.pa = vaddr - 0x7f1200003000ULL + BASE; /* a process's mapping of the region */
	return &fake_hw;
}
bool qemu_plugin_hwaddr_is_io(const struct qemu_plugin_hwaddr *h) { (void)h; return false; }
uint64_t qemu_plugin_hwaddr_phys_addr(const struct qemu_plugin_hwaddr *h) { return h->pa; }
unsigned int qemu_plugin_mem_size_shift(qemu_plugin_meminfo_t info) { return info; }
int qemu_plugin_read_register(struct qemu_plugin_register *handle, GByteArray *buf)
{
	uint64_t v = fake_regs[(uintptr_t)handle - 1];

	g_byte_array_set_size(buf, 8);
	memcpy(buf->data, &v, 8);
	return 8;
}
bool qemu_plugin_read_memory_vaddr(uint64_t addr, GByteArray *data, size_t len)
{
	(void)addr; (void)data; (void)len;
	return false;
}
GByteArray *g_byte_array_new(void) { return calloc(1, sizeof(GByteArray)); }
GByteArray *g_byte_array_set_size(GByteArray *a, unsigned int len)
{
	a->data = realloc(a->data, len ? len : 1);
	a->len = len;
	return a;
}

/* ---- helpers ---- */
#define VA(pa) (0xffffc90000000000ULL + (pa))
#define UVA(pa) (0x7f1200003000ULL + (pa) - BASE)
static int failures;

static void expect(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	failures++;
	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

static struct insn *insn(enum kind kind, const uint8_t *bytes, unsigned int len, uint64_t pc)
{
	struct insn *in = calloc(1, sizeof(*in));

	memcpy(in->bytes, bytes, len);
	in->len = (uint8_t)len;
	in->pc = pc;
	decode(in);
	expect(in->kind == kind, "decode at pc 0x%llx: kind %d, want %d", (unsigned long long)pc,
	       in->kind, kind);
	return in;
}

static const uint8_t B_MOV[] = { 0x48, 0x89, 0x07 };		/* mov %rax,(%rdi) */
static const uint8_t B_MOVNTI[] = { 0x48, 0x0f, 0xc3, 0x07 };	/* movnti %rax,(%rdi) */
static const uint8_t B_CLWB[] = { 0x66, 0x0f, 0xae, 0x37 };	/* clwb (%rdi) */
static const uint8_t B_CLFLUSHOPT[] = { 0x66, 0x0f, 0xae, 0x7f, 0x40 }; /* clflushopt 0x40(%rdi) */
static const uint8_t B_CLFLUSH[] = { 0x3e, 0x0f, 0xae, 0x3f };	/* ds clflush (%rdi) */
static const uint8_t B_CLWB_SIB[] = { 0x66, 0x41, 0x0f, 0xae, 0xb4, 0xc9, 0x00, 0x01, 0, 0 };
							/* clwb 0x100(%r9,%rcx,8) */
static const uint8_t B_SFENCE[] = { 0x0f, 0xae, 0xf8 };
static const uint8_t B_MFENCE[] = { 0x0f, 0xae, 0xf0 };
static const uint8_t B_LFENCE[] = { 0x0f, 0xae, 0xe8 };
static const uint8_t B_LOCK_ADD[] = { 0xf0, 0x83, 0x04, 0x24, 0x00 }; /* lock addl $0,(%rsp) */
static const uint8_t B_XCHG[] = { 0x48, 0x87, 0x07 };
static const uint8_t B_WBINVD[] = { 0x0f, 0x09 };
static const uint8_t B_XSAVEOPT[] = { 0x0f, 0xae, 0x30 };

static struct insn *mov, *movnti, *clwb, *clflushopt, *clflush, *clwb_sib, *sfence, *mfence,
	*locked, *wbinvd;

static void store(unsigned int cpu, struct insn *in, uint64_t pa)
{
	stored(cpu, 3, VA(pa), in);
}

static void flush_va(unsigned int cpu, struct insn *in, uint64_t va)
{
	fake_regs[7] = va - (uint64_t)in->disp; /* rdi */
	flushed(cpu, in);
}

static void flush(unsigned int cpu, struct insn *in, uint64_t pa)
{
	flush_va(cpu, in, VA(pa));
}

static uint64_t acked(void)
{
	uint64_t before = n.violations;

	write_acked(0, NULL);
	return n.violations - before;
}

static enum state state_at(uint64_t pa)
{
	return (enum state)regions[0].lines[(pa - BASE) / LINE].state;
}

int main(void)
{
	static uint8_t mem[1 << 16], shadow[1 << 16];
	unsigned int i;

	out = tmpfile();
	regions[0] = (struct region){ BASE, sizeof(mem), NULL, mem, shadow };
	regions[0].lines = calloc(sizeof(mem) / LINE, sizeof(struct line));
	nregions = 1;
	for (i = 0; i < NREGS; i++)
		reg_handle[i] = (struct qemu_plugin_register *)(uintptr_t)(i + 1);
	reg_buf[0] = g_byte_array_new();
	reg_buf[1] = g_byte_array_new();

	mov = insn(PLAIN, B_MOV, sizeof(B_MOV), 0x1000);
	movnti = insn(NT_STORE, B_MOVNTI, sizeof(B_MOVNTI), 0x1010);
	clwb = insn(CLWB, B_CLWB, sizeof(B_CLWB), 0x1020);
	clflushopt = insn(CLFLUSHOPT, B_CLFLUSHOPT, sizeof(B_CLFLUSHOPT), 0x1030);
	clflush = insn(CLFLUSH, B_CLFLUSH, sizeof(B_CLFLUSH), 0x1040);
	clwb_sib = insn(CLWB, B_CLWB_SIB, sizeof(B_CLWB_SIB), 0x1050);
	sfence = insn(SFENCE, B_SFENCE, sizeof(B_SFENCE), 0x1060);
	mfence = insn(MFENCE, B_MFENCE, sizeof(B_MFENCE), 0x1070);
	locked = insn(LOCKED, B_LOCK_ADD, sizeof(B_LOCK_ADD), 0x1080);
	wbinvd = insn(WBINVD, B_WBINVD, sizeof(B_WBINVD), 0x1090);
	insn(PLAIN, B_LFENCE, sizeof(B_LFENCE), 0x10a0);
	insn(PLAIN, B_XSAVEOPT, sizeof(B_XSAVEOPT), 0x10b0);
	insn(LOCKED, B_XCHG, sizeof(B_XCHG), 0x10c0);
	expect(clwb_sib->base == 9 && clwb_sib->index == 1 && clwb_sib->scale == 8 &&
	       clwb_sib->disp == 0x100, "clwb 0x100(%%r9,%%rcx,8): operand decoded wrong");
	expect(clflushopt->base == 7 && clflushopt->disp == 0x40, "clflushopt 0x40(%%rdi): operand");

	/* A plain store is not durable; clwb alone is not enough; a fence is. */
	write_begins(0, NULL);
	store(0, mov, BASE + 0x40);
	mem[0x40] = 0xaa;
	expect(acked() == 1 && state_at(BASE + 0x40) == DIRTY, "plain store: want 1 violation, dirty");
	write_begins(0, NULL);
	store(0, mov, BASE + 0x40);
	flush(0, clwb, BASE + 0x40);
	expect(acked() == 1 && state_at(BASE + 0x40) == FLUSHING, "clwb without fence: want flushing");
	expect(shadow[0x40] == 0, "shadow written before the line was durable");
	write_begins(0, NULL);
	store(0, mov, BASE + 0x40);
	flush(0, clwb, BASE + 0x40);
	fenced(0, sfence);
	expect(acked() == 0 && state_at(BASE + 0x40) == DURABLE, "clwb + sfence: want durable");
	expect(shadow[0x40] == 0xaa, "durable line not copied to the shadow");

	/* Non-temporal stores wait for a fence of their own CPU. */
	write_begins(0, NULL);
	store(0, movnti, BASE + 0x80);
	fenced(1, sfence);
	expect(acked() == 1 && state_at(BASE + 0x80) == WC, "movnti + another CPU's sfence: want wc");
	fenced(0, mfence);
	expect(state_at(BASE + 0x80) == DURABLE, "movnti + mfence: want durable");

	/* clflush is ordered by itself; clflushopt with a displacement; wbinvd. */
	write_begins(0, NULL);
	store(0, mov, BASE + 0xc0);
	flush(0, clflush, BASE + 0xc0);
	store(0, mov, BASE + 0x100);
	flush(0, clflushopt, BASE + 0x100);
	fenced(0, sfence);
	store(0, mov, BASE + 0x140);
	fenced(0, wbinvd);
	expect(acked() == 0, "clflush / clflushopt+sfence / wbinvd: want no violation");

	/* A locked instruction is no fence unless lockfence=1. */
	write_begins(0, NULL);
	store(0, movnti, BASE + 0x180);
	fenced(0, locked);
	expect(acked() == 1, "lock add without lockfence: want the line still wc");
	lock_fences = true;
	fenced(0, locked);
	expect(state_at(BASE + 0x180) == DURABLE, "lock add with lockfence=1: want durable");
	lock_fences = false;

	/* Lines stored before the write began are not its lines. */
	store(0, mov, BASE + 0x1c0);
	write_begins(0, NULL);
	expect(acked() == 0, "a line stored before the window: want no violation");
	flush(0, clwb, BASE + 0x1c0);
	fenced(0, sfence);

	/* A store that straddles two lines dirties both. */
	write_begins(0, NULL);
	stored(0, 3, VA(BASE + 0x23c), mov);
	expect(acked() == 2, "straddling store: want 2 violations");
	flush(0, clwb, BASE + 0x200);
	flush(0, clwb, BASE + 0x240);
	fenced(0, sfence);
	expect(acked() == 0, "straddling store flushed: want none");

	/* A flush through an address never stored to is not resolved. */
	flush(0, clwb, BASE + 0x8000);
	expect(n.elsewhere == 1, "unlearnt page: want flushes_elsewhere 1, got %llu",
	       (unsigned long long)n.elsewhere);

	/*
	 * User space (user=1): a process stores through its mapping of the
	 * region and flushes through the same addresses; a flush through the
	 * kernel's address of a page only the process stored to is not resolved.
	 */
	write_begins(0, NULL);
	stored(0, 3, UVA(BASE + 0x4000), mov);
	stored(0, 3, UVA(BASE + 0x4040), mov);
	flush_va(0, clwb, UVA(BASE + 0x4000));
	flush_va(0, clflushopt, UVA(BASE + 0x4040));
	fenced(0, sfence);
	expect(acked() == 0 && state_at(BASE + 0x4000) == DURABLE && state_at(BASE + 0x4040) == DURABLE,
	       "user stores, clwb/clflushopt through the user address, sfence: want durable");
	write_begins(0, NULL);
	stored(0, 3, UVA(BASE + 0x4080), mov);
	flush(0, clwb, BASE + 0x4080);
	fenced(0, sfence);
	expect(acked() == 1 && state_at(BASE + 0x4080) == DIRTY && n.elsewhere == 2,
	       "user store, flush through the kernel address: want dirty, flushes_elsewhere 2");
	write_begins(0, NULL);
	stored(0, 3, UVA(BASE + 0x40c0), mov);
	flush_va(0, clwb, UVA(BASE + 0x40c0));
	expect(acked() == 1 && state_at(BASE + 0x40c0) == FLUSHING,
	       "user store and clwb without sfence: want flushing");
	flush_va(0, clwb, UVA(BASE + 0x4080));
	fenced(0, sfence);

	if (failures)
		return 1;
	printf("qemu-pmem-check model: all cases pass (%llu acks, %llu violations seen)\n",
	       (unsigned long long)n.acks, (unsigned long long)n.violations);
	return 0;
}
