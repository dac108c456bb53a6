// SPDX-License-Identifier: GPL-2.0
/*
 * qemu-insn-count: a QEMU TCG plugin that counts the guest instructions
 * each translated block executes, in windows the guest opens and closes
 * with tools/insn-window.c. For `make bench-insn`.
 *
 *   qemu-system-x86_64 -plugin qemu-insn-count.so,out=FILE ...
 *
 * A window opens when the guest runs the block at MARK_OPEN and closes at
 * MARK_CLOSE (user addresses no other program maps); on closing, every
 * block that ran in it is appended to FILE as "vaddr instructions runs",
 * after a "window N" line. The counters are inline adds, not atomic: run
 * QEMU single-threaded (-icount, or -accel tcg,thread=single).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARK_OPEN 0x7e5700000000ULL
#define MARK_CLOSE (MARK_OPEN + 64)

#include "qemu-plugin-api.h"

__attribute__((visibility("default"))) int qemu_plugin_version = QEMU_PLUGIN_API_VERSION;

/* One block (start address, length): a translation's counter, shared by its retranslations. */
struct block {
	uint64_t vaddr;
	uint64_t runs;
	size_t insns;
	struct block *next;
};

#define HASH_BITS 20
static struct block *table[1u << HASH_BITS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *out;
static unsigned int windows;

static unsigned int hash(uint64_t vaddr, size_t insns)
{
	return (unsigned int)(((vaddr ^ (insns << 7)) * 0x9e3779b97f4a7c15ULL) >> (64 - HASH_BITS));
}

static struct block *block_of(uint64_t vaddr, size_t insns)
{
	unsigned int h = hash(vaddr, insns);
	struct block *b;

	for (b = table[h]; b; b = b->next)
		if (b->vaddr == vaddr && b->insns == insns)
			return b;
	b = calloc(1, sizeof(*b));
	if (!b)
		abort();
	b->vaddr = vaddr;
	b->insns = insns;
	b->next = table[h];
	table[h] = b;
	return b;
}

static void zero_all(void)
{
	unsigned int i;
	struct block *b;

	for (i = 0; i < (1u << HASH_BITS); i++)
		for (b = table[i]; b; b = b->next)
			b->runs = 0;
}

static void mark_open(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	(void)udata;
	pthread_mutex_lock(&lock);
	zero_all();
	pthread_mutex_unlock(&lock);
}

static void mark_close(unsigned int vcpu, void *udata)
{
	unsigned int i;
	struct block *b;

	(void)vcpu;
	(void)udata;
	pthread_mutex_lock(&lock);
	fprintf(out, "window %u\n", windows++);
	for (i = 0; i < (1u << HASH_BITS); i++)
		for (b = table[i]; b; b = b->next)
			if (b->runs)
				fprintf(out, "%llx %zu %llu\n", (unsigned long long)b->vaddr,
					b->insns, (unsigned long long)b->runs);
	fprintf(out, "end\n");
	fflush(out);
	zero_all();
	pthread_mutex_unlock(&lock);
}

static void translated(uint64_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	struct block *b;

	(void)id;
	if (vaddr == MARK_OPEN)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, mark_open, QEMU_PLUGIN_CB_NO_REGS, NULL);
	else if (vaddr == MARK_CLOSE)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, mark_close, QEMU_PLUGIN_CB_NO_REGS, NULL);
	pthread_mutex_lock(&lock);
	b = block_of(vaddr, qemu_plugin_tb_n_insns(tb));
	pthread_mutex_unlock(&lock);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->runs, 1);
}

static void finished(uint64_t id, void *udata)
{
	(void)id;
	(void)udata;
	fclose(out);
}

__attribute__((visibility("default"))) int qemu_plugin_install(uint64_t id,
							       const struct qemu_plugin_info *info,
							       int argc, char **argv)
{
	const char *file = NULL;
	int i;

	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			file = argv[i] + 4;
	if (!file || !info->system_emulation) {
		fprintf(stderr, "qemu-insn-count: needs system emulation and out=FILE\n");
		return 1;
	}
	out = fopen(file, "w");
	if (!out) {
		perror(file);
		return 1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
	qemu_plugin_register_atexit_cb(id, finished, NULL);
	return 0;
}
